"""Helpers for ingestion tests: upload through the service and wait for the pipeline."""

from __future__ import annotations

import time
from pathlib import Path

from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.documents import documents
from lumikb_app.services.knowledge_bases import kbs

TERMINAL = {"ready", "failed"}


def writer_and_kb(name: str = "Docs") -> tuple[User, str]:
    with get_container().db.session() as session:
        user = create_user(
            session,
            email="writer@example.com",
            display_name="W",
            password="long enough pw",
            role=SystemRole.member,
        )
        session.commit()
    return user, kbs.create_kb(user, name).id


def upload_bytes(
    user: User, kb_id: str, name: str, data: bytes, chunk: int = 256 * 1024
) -> documents.UploadOutcome:
    spool = documents.new_spool(name)
    for start in range(0, len(data), chunk):
        spool.write(data[start : start + chunk])
    if not data:
        spool.write(b"")
    return documents.accept_upload(user, kb_id, spool)


def upload_path(
    user: User, kb_id: str, path: Path, name: str | None = None
) -> documents.UploadOutcome:
    return upload_bytes(user, kb_id, name or path.name, path.read_bytes())


def wait_until_settled(document_ids: list[str], timeout: float = 300) -> dict[str, Document]:
    deadline = time.monotonic() + timeout
    while True:
        with get_container().db.session() as session:
            docs = {
                d.id: d for d in session.exec(select(Document).where(Document.id.in_(document_ids)))
            }
        if all(d.status in TERMINAL for d in docs.values()) and len(docs) == len(document_ids):
            return docs
        if time.monotonic() > deadline:
            states = {d.name: (d.status, d.stage_detail) for d in docs.values()}
            raise AssertionError(f"documents did not settle in {timeout} s: {states}")
        time.sleep(0.2)


def wait_for(predicate, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def long_markdown(sections: int = 60) -> bytes:
    """A Markdown guide long enough that its ingestion is still running when a test acts on it."""
    parts = []
    for i in range(sections):
        parts.append(f"# Section {i}\n")
        parts += [
            f"Paragraph {j} of section {i} explains topic {i * 7 + j} in plain words. " * 6 + "\n"
            for j in range(4)
        ]
    return "\n".join(parts).encode()
