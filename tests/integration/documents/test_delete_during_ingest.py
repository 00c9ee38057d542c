"""A document deleted while a real worker is ingesting it stays deleted: from the delete on, its
row only ever says `deleting` until the purge removes it, and nothing of it is left in the
stores. Both shapes: the embedded worker thread on SQLite, and an `rq worker` process on
PostgreSQL and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import redis
from sqlmodel import func, select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Chunk, Document
from lumikb_app.services.documents import documents
from tests.conftest import PROJECT_ROOT
from tests.integration.documents.ingest_helpers import (
    long_markdown,
    upload_bytes,
    wait_for,
    writer_and_kb,
)
from tests.integration.platform.worker_processes import SINGLE_WORKER

pytestmark = pytest.mark.integration
REDIS_URL = "redis://127.0.0.1:6379/12"


def _status(document_id: str) -> tuple[str, float] | None:
    with get_container().db.session() as session:
        doc = session.get(Document, document_id)
        return (doc.status, doc.progress) if doc else None


class StatusWatch:
    """Records each status the row shows, polling until the row is gone, with when the poll began."""

    def __init__(self, document_id: str) -> None:
        self.document_id, self.seen = document_id, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StatusWatch:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            began = time.monotonic()
            found = _status(self.document_id)
            if found is None:
                return
            self.seen.append((began, found[0]))

    def since(self, moment: float) -> set[str]:
        """The statuses read by polls that began after `moment`."""
        return {status for began, status in self.seen if began > moment}

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join(10)


def _embedding_under_way(document_id: str) -> bool:
    found = _status(document_id)
    return found is not None and found[0] == "embedding" and found[1] > 0.3


def _delete_mid_embedding(user, document_id: str, watch: StatusWatch) -> float:
    """Delete once embedding is under way; the moment the delete has been committed."""
    wait_for(lambda: _embedding_under_way(document_id), 240, "embedding to be under way")
    documents.delete_document(user, document_id)
    assert watch.seen, "the watch saw the document before the delete"
    return time.monotonic()


def _chunks(document_id: str) -> int:
    with get_container().db.session() as session:
        query = select(func.count()).select_from(Chunk).where(Chunk.document_id == document_id)
        return session.exec(query).one()


def _vectors(document_id: str) -> int:
    vectors = get_container().vectors
    return sum(vectors.count(name, document_id=document_id) for name in vectors.list_collections())


def test_a_delete_mid_ingest_is_final_on_the_embedded_worker(migrated):
    user, kb_id = writer_and_kb()
    outcome = upload_bytes(user, kb_id, "guide.md", long_markdown())
    with StatusWatch(outcome.stored_id) as watch:
        deleted = _delete_mid_embedding(user, outcome.stored_id, watch)
        wait_for(lambda: _status(outcome.stored_id) is None, timeout=240, what="the purge")
    assert watch.since(deleted) <= {"deleting"}, watch.seen
    assert _chunks(outcome.stored_id) == 0
    assert _vectors(outcome.stored_id) == 0


@pytest.fixture
def production_env(pg_url, data_dir, monkeypatch):  # the database outlives the app
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    reset_container()
    upgrade()
    yield dict(os.environ)
    client.flushdb()


def test_a_delete_mid_ingest_is_final_with_an_rq_worker_on_postgresql(production_env, tmp_path):
    user, kb_id = writer_and_kb()
    outcome = upload_bytes(user, kb_id, "guide.md", long_markdown())
    log_path = tmp_path / "worker.log"
    with log_path.open("a") as log:
        worker = subprocess.Popen(
            [sys.executable, "-c", SINGLE_WORKER], cwd=PROJECT_ROOT, env=production_env,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        with StatusWatch(outcome.stored_id) as watch:
            deleted = _delete_mid_embedding(user, outcome.stored_id, watch)
            wait_for(lambda: _status(outcome.stored_id) is None, timeout=240, what="the purge")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    assert watch.since(deleted) <= {"deleting"}, (watch.seen, log_path.read_text())
    assert _chunks(outcome.stored_id) == 0
    reset_container()  # the worker is gone: this process may open the embedded vector store
    assert _vectors(outcome.stored_id) == 0
