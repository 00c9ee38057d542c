"""Redis restarted without its data (no persistence): the periodic reconcile is scheduled again
by the worker that lived through the outage, and a document whose ingest job Redis lost is
queued again by that reconcile and processed. A private redis-server killed with kill -9, a
real worker process, PostgreSQL."""

from __future__ import annotations

import os
import sys
import time

import pytest
from rq import Queue

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Document
from lumikb_app.domain.models import BUILTIN_EMBEDDER
from lumikb_app.services.documents import indexing
from tests.integration.documents.ingest_helpers import upload_bytes, writer_and_kb
from tests.integration.platform.private_redis import PrivateRedis, private_redis, wait_for
from tests.integration.platform.worker_processes import SINGLE_WORKER, start_worker, stop
from workers.recovery import reconcile_waiting

pytestmark = pytest.mark.integration
REDIS_DOWN_SECONDS = 30  # as in the run


def _document(document_id: str) -> Document:
    with get_container().db.session() as session:
        return session.get(Document, document_id)


@pytest.fixture
def redis_server(tmp_path):
    with private_redis(tmp_path) as server:
        yield server


@pytest.fixture
def production_env(data_dir, pg_url, redis_server, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    reset_container()
    upgrade()
    return redis_server


def _reconcile_scheduled(queue: Queue) -> bool:
    ids = queue.scheduled_job_registry.get_job_ids(cleanup=False)
    return any(job_id.startswith("reconcile-slot-") for job_id in ids)


def _restart_empty(server: PrivateRedis, down_seconds: float) -> None:
    server.stop()
    time.sleep(down_seconds)
    server.start()
    assert server.client().dbsize() == 0  # no persistence: everything it held is gone


def test_schedule_and_lost_ingest_job_come_back_after_redis_restarts_empty(
    production_env, tmp_path
):
    server = production_env
    user, kb_id = writer_and_kb()
    outcome = upload_bytes(user, kb_id, "guide.md", b"# Guide\n\nRestarts lose nothing here.\n")
    assert outcome.document_id in get_container().jobs.waiting_first_args("ingest")
    _restart_empty(server, 1)  # the queued ingest job is lost before any worker took it
    default = Queue("default", connection=server.client())
    # The worker opens the embedded vector store: nothing else here may (this process only
    # reads PostgreSQL until it has stopped).
    worker = start_worker(
        dict(os.environ), tmp_path / "worker.log", [sys.executable, "-c", SINGLE_WORKER]
    )
    try:
        # The worker queues a reconcile at once (none waits in an empty Redis), which schedules
        # the next.
        wait_for(lambda: _reconcile_scheduled(default), 60, "the worker to schedule a reconcile")
        _restart_empty(server, REDIS_DOWN_SECONDS)
        assert not reconcile_waiting(default)
        wait_for(lambda: reconcile_waiting(default), 60, "the reconcile schedule to come back")
        wait_for(
            lambda: _document(outcome.document_id).status in {"ready", "failed"},
            120,
            f"the lost document to be processed (log: {tmp_path / 'worker.log'})",
        )
        assert worker.poll() is None  # the same worker lived through both outages
    finally:
        stop(worker)
    doc = _document(outcome.document_id)
    assert doc.status == "ready", doc.error
    reset_container()  # the worker is gone: this process may open the embedded vector store
    container = get_container()
    collection = indexing.collection_for(container.embedder_for(BUILTIN_EMBEDDER))
    assert container.vectors.count(collection, document_id=doc.id) == doc.chunk_count > 0
