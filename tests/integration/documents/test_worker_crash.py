"""A worker killed mid-ingest leaves the document to be picked up again and finished, with
exactly one vector per chunk. Production shape: PostgreSQL, Redis, separate `rq worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import redis
from sqlmodel import select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Document
from lumikb_app.domain.models import BUILTIN_EMBEDDER
from lumikb_app.services.documents import indexing
from tests.conftest import PROJECT_ROOT
from tests.integration.documents.ingest_helpers import (
    long_markdown,
    upload_bytes,
    wait_for,
    writer_and_kb,
)
from tests.integration.platform.worker_processes import SINGLE_WORKER

pytestmark = pytest.mark.integration
REDIS_URL = "redis://127.0.0.1:6379/13"


def _worker(env: dict[str, str], log_path) -> subprocess.Popen:
    log = log_path.open("a")
    return subprocess.Popen(
        [sys.executable, "-c", SINGLE_WORKER, "--maintenance-interval", "5"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _document(document_id: str) -> Document:
    with get_container().db.session() as session:
        return session.get(Document, document_id)


@pytest.fixture
def production_env(data_dir, pg_url, monkeypatch):
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    reset_container()
    upgrade()
    env = {k: v for k, v in os.environ.items()}
    yield env
    client.flushdb()


def test_killed_worker_mid_ingest_then_restart_finishes_with_one_vector_per_chunk(
    production_env, tmp_path
):
    user, kb_id = writer_and_kb()
    outcome = upload_bytes(user, kb_id, "long-guide.md", long_markdown())
    log_path = tmp_path / "workers.log"
    first = _worker(production_env, log_path)
    try:
        wait_for(lambda: _document(outcome.document_id).status == "embedding"
                 and _document(outcome.document_id).progress > 0.3, timeout=180, what="embedding to be under way")  # fmt: skip
    finally:
        # No clean shutdown: RQ runs the job in a forked work-horse in its own session, so kill
        # the horse and the worker at once, as a crashed machine would.
        subprocess.run(["pkill", "-KILL", "-P", str(first.pid)], check=False)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    killed_at = _document(outcome.document_id)
    assert killed_at.status == "embedding" and killed_at.progress < 1
    second = _worker(production_env, log_path)
    try:
        wait_for(lambda: _document(outcome.document_id).status in {"ready", "failed"}, timeout=240,
                 what=f"the retried job (log: {log_path})")  # fmt: skip
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    doc = _document(outcome.document_id)
    assert doc.status == "ready", doc.error
    assert doc.attempts == 2
    reset_container()  # the workers are gone: this process may open the embedded vector store now
    container = get_container()
    collection = indexing.collection_for(container.embedder_for(BUILTIN_EMBEDDER))
    assert container.vectors.count(collection, document_id=doc.id) == doc.chunk_count > 50
    with container.db.session() as session:
        assert session.exec(select(Document)).all()[0].chunk_count == doc.chunk_count
