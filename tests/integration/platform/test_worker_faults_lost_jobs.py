"""What the reconcile and the workers rely on after Redis lost its data: which documents' ingest
jobs the queue still holds, re-queueing exactly the others once, and one scheduled run per job id
however many processes ask. Real Redis (a database of its own), PostgreSQL, no worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue

from lumikb_app.adapters.rq_jobs import RedisJobQueue
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Document
from lumikb_app.services.documents import reconcile
from tests.integration.documents.ingest_helpers import upload_bytes, writer_and_kb
from tests.integration.platform.job_helpers import flushed_redis

pytestmark = pytest.mark.integration
REDIS_URL = "redis://127.0.0.1:6379/10"  # a database of its own, flushed before and after


@pytest.fixture
def redis_db():
    with flushed_redis(REDIS_URL) as client:
        yield client


@pytest.fixture
def production_env(data_dir, pg_url, redis_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg_url)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    reset_container()
    upgrade()
    return redis_db


def _status(document_id: str) -> str:
    with get_container().db.session() as session:
        return session.get(Document, document_id).status


def test_only_documents_whose_job_redis_lost_are_queued_again_and_only_once(production_env):
    user, kb_id = writer_and_kb()
    lost = upload_bytes(user, kb_id, "lost.md", b"# Lost\n\nIts job went with Redis.\n")
    jobs = get_container().jobs
    production_env.flushdb()  # Redis restarted without its data
    kept = upload_bytes(user, kb_id, "kept.md", b"# Kept\n\nIts job is still queued.\n")
    assert jobs.waiting_first_args("ingest") == {kept.document_id}

    assert reconcile.requeue_lost(grace=timedelta(0)) == 1
    assert jobs.waiting_first_args("ingest") == {kept.document_id, lost.document_id}
    assert _status(lost.document_id) == "queued"
    assert reconcile.requeue_lost(grace=timedelta(0)) == 0  # held again: no second job
    assert Queue("ingest", connection=production_env).count == 2


def test_a_document_younger_than_the_grace_is_left_to_its_enqueue(production_env):
    user, kb_id = writer_and_kb()
    upload_bytes(user, kb_id, "new.md", b"# New\n\nJust committed.\n")
    production_env.flushdb()
    assert reconcile.requeue_lost() == 0  # 30 s: the enqueue may still be on its way


def test_scheduling_one_job_id_twice_keeps_the_first(redis_db):
    queue = RedisJobQueue(REDIS_URL)
    try:
        first = queue.schedule(600, reconcile.RECONCILE_JOB, 600, job_id="reconcile-slot-1")
        again = queue.schedule(5, reconcile.RECONCILE_JOB, 600, job_id="reconcile-slot-1")
        registry = Queue("default", connection=redis_db).scheduled_job_registry
        assert first == again == "reconcile-slot-1"
        assert registry.get_job_ids() == ["reconcile-slot-1"]
        due_in = registry.get_scheduled_time("reconcile-slot-1") - datetime.now(UTC)
        assert due_in > timedelta(seconds=500)  # the second call did not move it to 5 s
    finally:
        queue.close()
