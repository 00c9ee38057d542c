"""`make seed`: a demo knowledge base from the PEP corpus, processed by the normal pipeline."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.documents import documents
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import read_session, transaction

DEMO_KB = "Python Enhancement Proposals (demo)"


class SeedError(RuntimeError):
    pass


@dataclass
class SeedProgress:
    total: int
    ready: int
    failed: int

    @property
    def settled(self) -> int:
        return self.ready + self.failed


def _owner() -> User:
    with transaction() as session:
        owner = session.exec(
            select(User).where(User.system_role == SystemRole.admin.value, User.is_active)
        ).first()
    if owner is None:
        raise SeedError(
            "No administrator yet: create one first with `make admin EMAIL=you@example.com`."
        )
    return owner


def _demo_kb(owner: User) -> str:
    with read_session() as session:
        kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.name == DEMO_KB)).first()
    if kb is not None:
        return kb.id
    return kbs.create_kb(owner, DEMO_KB, "690 PEPs from the python/peps repository.").id


def upload_corpus(corpus: Path, limit: int = 0) -> tuple[str, list[str]]:
    files = sorted(corpus.glob("*.rst"))[: limit or None]
    if not files:
        raise SeedError(f"No .rst files in {corpus}.")
    owner = _owner()
    kb_id = _demo_kb(owner)
    ids = []
    for path in files:
        spool = documents.new_spool(path.name)
        spool.write(path.read_bytes())
        outcome = documents.accept_upload(owner, kb_id, spool)
        ids.append(outcome.stored_id)
    return kb_id, ids


def progress(ids: list[str]) -> SeedProgress:
    with get_container().db.session() as session:
        statuses = session.exec(select(Document.status).where(col(Document.id).in_(ids))).all()
    return SeedProgress(len(ids), statuses.count("ready"), statuses.count("failed"))


def wait(
    ids: list[str], on_progress: Callable[[SeedProgress], None], poll: float = 0.5
) -> SeedProgress:
    while True:
        current = progress(ids)
        on_progress(current)
        if current.settled >= current.total:
            return current
        time.sleep(poll)
