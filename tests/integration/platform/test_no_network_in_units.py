"""No blob-store, vector-store or model call runs while a unit of work is open (the transaction
rule in `lumikb_app.services`).

The container's blob store, vector store and embedders are wrapped in proxies that note every
call made while `transactions.open_units() > 0` on the calling thread (the embedded job worker
is a thread of this process, so jobs are watched too; a lazy read such as `blobs.get` is watched
as it is consumed). A document's whole life then runs through them: upload, ingest, search, a
settings change that re-indexes, delete the document, delete the KB, and an admin's reconcile.
"""

from __future__ import annotations

import io
import threading
import traceback
from collections.abc import Iterator

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.documents import documents, reconcile
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.platform import transactions
from lumikb_app.services.retrieval import search
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import upload_path, wait_for, wait_until_settled

pytestmark = pytest.mark.integration

PEP = CORPORA / "peps" / "pep-0020.rst"
MODEL_CALLS = {"embed_documents", "embed_query", "health"}  # count_tokens is local arithmetic


class Watch:
    """Every watched call, and those made while a unit of work was open (with where from)."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.inside: list[str] = []
        self._lock = threading.Lock()

    def check(self, what: str) -> None:
        units = transactions.open_units()
        with self._lock:
            self.calls[what] = self.calls.get(what, 0) + 1
            if units:
                where = "".join(traceback.format_stack(limit=8)[:-2])
                self.inside.append(f"{what} with {units} unit(s) open:\n{where}")


class Guarded:
    """Forwards to `target`; each call of a watched method is checked first."""

    def __init__(self, target, name: str, watch: Watch, only: set[str] | None = None) -> None:
        self._target, self._name, self._watch, self._only = target, name, watch, only

    def __getattr__(self, attr: str):
        value = getattr(self._target, attr)
        if not callable(value) or (self._only is not None and attr not in self._only):
            return value
        what = f"{self._name}.{attr}"

        def call(*args, **kwargs):
            self._watch.check(what)
            result = value(*args, **kwargs)
            return self._lazy(what, result) if isinstance(result, Iterator) else result

        return call

    def _lazy(self, what: str, items: Iterator) -> Iterator:
        for item in items:
            self._watch.check(f"{what} (reading)")
            yield item


@pytest.fixture
def watch(migrated, monkeypatch) -> Watch:
    container, seen = get_container(), Watch()
    monkeypatch.setitem(container.__dict__, "blobs", Guarded(container.blobs, "blobs", seen))
    monkeypatch.setitem(container.__dict__, "vectors", Guarded(container.vectors, "vectors", seen))
    embedder_for = container.embedder_for
    monkeypatch.setattr(
        container,
        "embedder_for",
        lambda model: Guarded(embedder_for(model), f"model {model}", seen, MODEL_CALLS),
    )
    return seen


def test_the_proxies_notice_a_call_inside_a_unit_of_work(watch):
    blobs = get_container().blobs
    blobs.exists("kb/none/doc/none/v1")
    assert watch.inside == []
    with transactions.read_session():
        blobs.exists("kb/none/doc/none/v1")
    with transactions.transaction():
        list(get_container().vectors.list_collections())
    assert [entry.split(" with ")[0] for entry in watch.inside] == [
        "blobs.exists",
        "vectors.list_collections",
    ]


def _people() -> tuple[User, User]:
    with transactions.transaction() as session:
        admin = create_user(
            session, email="root@x.io", display_name="R", password=None, role=SystemRole.admin
        )
        owner = create_user(session, email="owner@x.io", display_name="O", password=None)
    return admin, owner


def _documents(kb_id: str) -> list[Document]:
    with get_container().db.session() as session:
        return list(session.exec(select(Document).where(Document.kb_id == kb_id)))


def test_a_documents_whole_life_makes_no_network_call_inside_a_unit_of_work(watch):
    admin, owner = _people()
    kb_id = kbs.create_kb(owner, "Zen").id

    uploaded = upload_path(owner, kb_id, PEP)
    assert wait_until_settled([uploaded.document_id])[uploaded.document_id].status == "ready"
    assert search.search(owner, "beautiful is better than ugly").passages

    kb_config.update_settings(owner, kb_id, {"chunk_tokens": 150, "chunk_overlap": 20})

    def reindexed() -> Document | None:
        docs = [d for d in _documents(kb_id) if d.status != "superseded"]  # kept for citations
        ready = [d for d in docs if d.version == 2 and d.status == "ready"]
        return ready[0] if len(docs) == 1 and ready else None

    wait_for(lambda: reindexed() is not None, timeout=300, what="the re-index to switch over")
    documents.delete_document(owner, reindexed().id)
    wait_for(lambda: _documents(kb_id) == [], what="the document purge")

    second = upload_path(owner, kb_id, PEP, name="zen-again.rst")
    assert wait_until_settled([second.document_id])[second.document_id].status == "ready"
    kbs.delete_kb(owner, kb_id)

    def kb_gone() -> bool:
        with get_container().db.session() as session:
            return session.get(KnowledgeBase, kb_id) is None

    wait_for(kb_gone, what="the KB purge")

    orphan = "kb/gone/doc/gone/v1"
    get_container().blobs.put(orphan, io.BytesIO(b"x"), length=1, content_type="text/plain")
    assert reconcile.run_now(admin)["orphan_blobs_removed"] == 1

    for used in ("blobs.put", "blobs.get", "blobs.delete", "blobs.list_keys", "vectors.upsert"):
        assert watch.calls.get(used), f"{used} was never called: the flow did not reach it"
    assert watch.calls.get("vectors.delete_document") and watch.calls.get("vectors.search")
    assert any(name.endswith(".embed_documents") for name in watch.calls)
    assert watch.inside == [], "\n\n".join(watch.inside)
