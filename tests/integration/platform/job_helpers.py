"""What the RQ job tests share: waiting for a condition, a job's stored status, the embedded queue,
a Redis database of the test's own (flushed before and after), and a real `python -m workers.main`
worker on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job

from lumikb_app.adapters.rq_jobs import EmbeddedJobQueue
from tests.conftest import PROJECT_ROOT


def wait_until(condition: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def fetch(queue, job_id: str) -> Job | None:
    """The RQ job as RQ stores it (the app only enqueues; tests look at the outcome)."""
    try:
        return Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return None


def status(queue, job_id: str) -> str | None:
    job = fetch(queue, job_id)
    found = job.get_status(refresh=False) if job is not None else None
    return found.value if found is not None else None


@contextmanager
def embedded_queue() -> Iterator[EmbeddedJobQueue]:
    queue = EmbeddedJobQueue(retry_intervals=[1])
    yield queue
    queue.close()


@contextmanager
def flushed_redis(url: str) -> Iterator[Redis]:
    connection = Redis.from_url(url)
    connection.ping()  # unreachable Redis fails the test, never skips it
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


def worker_env(
    redis_url: str, data_dir: Path, database_url: str = "postgresql://127.0.0.1:1/unused"
) -> dict[str, str]:
    """This process's environment for a worker on `redis_url`. A worker refuses embedded stores
    with REDIS_URL (services/platform/deployment.py): it names servers, which the sample jobs
    never call (but the database, when given), so nothing needs to answer there."""
    return {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "QDRANT_HOST": "127.0.0.1",
        "MINIO_ENDPOINT": "127.0.0.1:1",
        "MINIO_ACCESS_KEY": "unused",
        "MINIO_SECRET_KEY": "unused-secret",
    }


@contextmanager
def running_worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    """`python -m workers.main`, stopped with SIGTERM (killed if it takes over 20 s) at the end."""
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.main"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        log.close()
