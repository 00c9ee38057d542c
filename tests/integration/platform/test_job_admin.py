"""The admin console's view of the queues (JobQueue.queue_status, requeue, cancel, workers) on
both adapters: RQ on fakeredis with worker threads, and RQ on real Redis (its own database,
flushed before and after) with the jobs run by a burst worker in this process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from rq import SimpleWorker

from lumikb_app.adapters.rq_jobs import EmbeddedJobQueue, RedisJobQueue
from lumikb_app.ports.jobs import JobActionRefused, NoSuchJob
from tests.integration.platform.job_helpers import embedded_queue, flushed_redis, wait_until

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own, flushed before and after
FAIL, PING = (
    "tests.integration.platform.sample_jobs.fail",
    "tests.integration.platform.sample_jobs.ping",
)


@pytest.fixture
def embedded() -> Iterator[EmbeddedJobQueue]:
    with embedded_queue() as queue:
        yield queue


@pytest.fixture
def redis_queue() -> Iterator[RedisJobQueue]:
    with flushed_redis(REDIS_URL):
        queue = RedisJobQueue(REDIS_URL, retry_intervals=[1])
        yield queue
        queue.close()


def _jobs(queue, registry: str) -> dict[str, object]:
    return {
        job.id: job
        for info in queue.queue_status()
        for job in info.jobs
        if job.registry == registry
    }


def _counts(queue, name: str = "default") -> dict[str, int]:
    return next(info.counts for info in queue.queue_status() if info.name == name)


def _run_burst(queue: RedisJobQueue) -> None:
    SimpleWorker(list(queue.queues.values()), connection=queue.connection).work(burst=True)


def test_embedded_failed_job_shows_its_error_then_requeue_and_cancel(embedded):
    job_id = f"fails-{uuid.uuid4().hex[:6]}"
    embedded.enqueue(FAIL, "the disk is full", job_id=job_id, retries=0)
    wait_until(lambda: job_id in _jobs(embedded, "failed"), 20, "the job to fail")
    failed = _jobs(embedded, "failed")[job_id]
    assert failed.function == FAIL and failed.args == ("the disk is full",)
    assert failed.error == "tests.integration.platform.sample_jobs.JobFailed: the disk is full"
    assert _counts(embedded)["failed"] == 1

    embedded.requeue(job_id)  # fails again (the job always fails): back in the failed registry
    wait_until(lambda: job_id in _jobs(embedded, "failed"), 20, "the requeued job to run")
    embedded.cancel(job_id)  # a failed job is cancelled by removing it
    assert job_id not in _jobs(embedded, "failed") and _counts(embedded)["failed"] == 0
    with pytest.raises(NoSuchJob, match=job_id):
        embedded.requeue(job_id)


def test_embedded_workers_report_their_heartbeat():
    queue = EmbeddedJobQueue(workers=2)
    try:
        wait_until(lambda: len(queue.workers()) == 2, 20, "both worker threads to register")
        found = queue.workers()
    finally:
        queue.close()
    for worker in found:
        assert worker.last_heartbeat is not None and set(worker.queues) == {
            "ingest",
            "graph",
            "default",
        }


def test_redis_requeue_runs_a_failed_job_again_and_cancel_takes_a_queued_one_out(redis_queue):
    failing = redis_queue.enqueue(FAIL, "no space", retries=0)
    _run_burst(redis_queue)
    assert _jobs(redis_queue, "failed")[failing].error.endswith("JobFailed: no space")

    requeued = redis_queue.requeue(failing)
    assert requeued.registry == "queued" and failing in _jobs(redis_queue, "queued")
    assert failing not in _jobs(redis_queue, "failed")

    waiting = redis_queue.enqueue(PING, "x")
    redis_queue.cancel(waiting)
    assert waiting not in _jobs(redis_queue, "queued")
    with pytest.raises(JobActionRefused, match="only a job that has not started"):
        redis_queue.cancel(waiting)  # already cancelled
    with pytest.raises(JobActionRefused, match="Only a failed job can be requeued"):
        redis_queue.requeue(failing)  # queued, not failed
    assert _counts(redis_queue) == {
        "queued": 1,
        "scheduled": 0,
        "deferred": 0,
        "started": 0,
        "failed": 0,
    }


def test_redis_bad_job_ids_are_refused_with_a_clear_message(redis_queue):
    with pytest.raises(NoSuchJob, match="No job has the id 'nope'"):
        redis_queue.requeue("nope")
    with pytest.raises(NoSuchJob, match="No job has the id 'nope'"):
        redis_queue.cancel("nope")


def test_a_scheduled_job_shows_when_it_is_due_and_can_be_cancelled(redis_queue):
    job_id = redis_queue.schedule(3600, PING, "later")
    scheduled = _jobs(redis_queue, "scheduled")[job_id]
    due_in = (scheduled.due_at - datetime.now(UTC)).total_seconds()
    assert 3500 < due_in <= 3600
    redis_queue.cancel(job_id)
    assert job_id not in _jobs(redis_queue, "scheduled")
    assert _counts(redis_queue)["scheduled"] == 0
