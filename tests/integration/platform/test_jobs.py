"""Jobs run through RQ in both modes: a worker thread on fakeredis, and `python -m workers.main` on real Redis."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from lumikb_app.adapters.rq_jobs import EmbeddedJobQueue, RedisJobQueue
from tests.conftest import PROJECT_ROOT
from tests.integration.platform import sample_jobs as jobs
from tests.integration.platform.job_helpers import (
    embedded_queue,
    fetch,
    flushed_redis,
    running_worker,
    status,
    wait_until,
    worker_env,
)

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own, flushed before and after
JOBS = "tests.integration.platform.sample_jobs"  # what the worker process imports


def wait_for_status(queue, job_id: str, wanted: str, timeout: float = 30) -> None:
    wait_until(lambda: status(queue, job_id) == wanted, timeout, f"job {job_id} to be {wanted}")


@pytest.fixture
def embedded() -> Iterator[EmbeddedJobQueue]:
    with embedded_queue() as queue:
        yield queue


@pytest.fixture
def redis_db() -> Iterator[Redis]:
    with flushed_redis(REDIS_URL) as connection:
        yield connection


@pytest.fixture
def worker_process(redis_db, tmp_path) -> Iterator[subprocess.Popen]:
    env = worker_env(REDIS_URL, tmp_path / "data")
    with running_worker(env, tmp_path / "worker.log") as process:
        yield process


def test_embedded_runs_a_job_through_rq(embedded):
    job_id = embedded.enqueue(jobs.ping, "embedded")
    wait_for_status(embedded, job_id, "finished")
    assert fetch(embedded, job_id).return_value() == "pong:embedded"
    assert embedded.embedded is True


def test_embedded_side_effect_by_dotted_path(embedded, tmp_path):
    marker = tmp_path / "marker.txt"
    job_id = embedded.enqueue(f"{JOBS}.write_marker", str(marker), "ran", queue="ingest")
    wait_for_status(embedded, job_id, "finished")
    assert marker.read_text() == "ran"


def test_embedded_retries_then_fails(embedded):
    job_id = embedded.enqueue(jobs.fail, "always", queue="graph", retries=2)
    wait_until(lambda: fetch(embedded, job_id).retries_left == 1, 10, "first retry scheduled")
    assert status(embedded, job_id) in {"scheduled", "queued", "started"}
    wait_for_status(embedded, job_id, "failed", timeout=20)
    assert fetch(embedded, job_id).retries_left == 0


def test_embedded_health_and_unknown_queue(embedded):
    embedded.health()
    with pytest.raises(ValueError):
        embedded.enqueue(jobs.ping, "x", queue="nope")


def test_embedded_job_id_is_kept(embedded):
    job_id = f"ping-{uuid.uuid4().hex}"
    assert embedded.enqueue(jobs.ping, "id", job_id=job_id) == job_id
    wait_for_status(embedded, job_id, "finished")


def test_embedded_close_stops_the_worker_threads():
    queue = EmbeddedJobQueue(workers=2)
    queue.close()
    assert len(queue._threads) == 2 and not any(t.is_alive() for t in queue._threads)


def test_a_long_embedded_job_does_not_hold_the_next_one_back(tmp_path):
    queue = EmbeddedJobQueue(workers=2)
    try:
        release = tmp_path / "release"
        long_id = queue.enqueue(jobs.wait_for_file, str(release), queue="ingest")
        wait_for_status(queue, long_id, "started")
        ping_id = queue.enqueue(jobs.ping, "meanwhile", queue="ingest")
        wait_for_status(queue, ping_id, "finished")
        assert status(queue, long_id) == "started"
        release.touch()
        wait_for_status(queue, long_id, "finished")
    finally:
        queue.close()


def test_real_redis_job_runs_in_worker_process(worker_process, tmp_path):
    queue = RedisJobQueue(REDIS_URL, retry_intervals=[1])
    marker = tmp_path / "from-worker.txt"
    try:
        ping_id = queue.enqueue(jobs.ping, "redis")
        marker_id = queue.enqueue(f"{JOBS}.write_marker", str(marker), "worker", queue="ingest")
        wait_for_status(queue, ping_id, "finished")
        wait_for_status(queue, marker_id, "finished")
        assert fetch(queue, ping_id).return_value() == "pong:redis"
        assert marker.read_text() == "worker"
        assert worker_process.poll() is None
    finally:
        queue.close()


def test_real_redis_failing_job_retries_via_scheduler(worker_process, tmp_path):
    queue = RedisJobQueue(REDIS_URL, retry_intervals=[1])
    try:
        job_id = queue.enqueue(jobs.fail, "always", queue="graph", retries=2)
        wait_for_status(queue, job_id, "failed", timeout=60)
        assert fetch(queue, job_id).retries_left == 0
        runs = (tmp_path / "worker.log").read_text().count(f"{JOBS}.fail('always') ({job_id})")
        assert runs == 3  # the first run and two retries, re-queued by the worker's scheduler
    finally:
        queue.close()


def test_worker_main_refuses_without_redis_url(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env["DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "workers.main", "--burst"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "REDIS_URL is not set" in result.stderr
