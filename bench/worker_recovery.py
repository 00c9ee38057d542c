"""How long a job of a worker killed with kill -9 waits before another worker resumes it.

Usage: python -m bench.worker_recovery [TRIALS]   (default 2; each takes one to two minutes)

Two real `python -m workers.main` processes on a fresh PostgreSQL database and a private
redis-server (both as the tests start them). A slow job records each step in PostgreSQL; once a
few steps are done, the worker running it is killed with its work-horse and scheduler. The figure
is the time from the kill to the first step recorded by the other worker.

Baseline, in the same run: how long an idle worker takes to start a job just queued (RQ's own
pickup latency), measured before each kill.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from lumikb_app.adapters.rq_jobs import RedisJobQueue
from tests.conftest import fresh_pg_database
from tests.integration.platform import fault_jobs
from tests.integration.platform.private_redis import private_redis, wait_for
from tests.integration.platform.worker_processes import kill_hard, server_env, two_workers
from workers.recovery import JOB_MONITORING_INTERVAL, MAINTENANCE_INTERVAL

STEPS, STEP_SECONDS = 600, 0.5  # longer than any resume: the job is still running when resumed


def _trial(number: int, database_url: str, tmp: Path) -> tuple[float, float]:
    log = tmp / f"workers-{number}.log"
    with private_redis(tmp) as redis, redis.client() as connection:
        env = server_env(redis_url=redis.url, database_url=database_url, data_dir=tmp / "data")
        with two_workers(env, log, connection) as workers:
            queue, key = RedisJobQueue(redis.url), f"trial-{number}"
            queued = time.monotonic()
            function = f"{fault_jobs.__name__}.stepped"
            queue.enqueue(function, database_url, key, STEPS, STEP_SECONDS, queue="ingest")
            wait_for(lambda: fault_jobs.steps(database_url, key), 60, "the first step")
            pickup = time.monotonic() - queued - STEP_SECONDS
            wait_for(lambda: len(fault_jobs.steps(database_url, key)) >= 4, 60, "a few steps")
            first_pid = fault_jobs.steps(database_url, key)[0][1]
            kill_hard(workers[first_pid])
            killed = time.monotonic()
            wait_for(
                lambda: any(pid != first_pid for _, pid in fault_jobs.steps(database_url, key)),
                600,
                f"the other worker (log: {log})",
            )
            return pickup, time.monotonic() - killed - STEP_SECONDS


def main(trials: int = 2) -> None:
    print(
        f"worker: heartbeat every {JOB_MONITORING_INTERVAL} s (RQ adds 60 s before a job is "
        f"abandoned), maintenance every {MAINTENANCE_INTERVAL} s"
    )
    pickups, resumes = [], []
    with fresh_pg_database() as database_url, tempfile.TemporaryDirectory() as tmp:
        fault_jobs.create_tables(database_url)
        for number in range(1, trials + 1):
            pickup, resume = _trial(number, database_url, Path(tmp))
            pickups.append(pickup)
            resumes.append(resume)
            print(
                f"trial {number}: baseline pickup {pickup:.2f} s, resume after kill -9 {resume:.0f} s"
            )
    print(f"{'':24}{'median':>10}{'max':>10}")
    print(f"{'baseline: pickup':24}{statistics.median(pickups):>9.2f}s{max(pickups):>9.2f}s")
    print(f"{'resume after kill -9':24}{statistics.median(resumes):>9.0f}s{max(resumes):>9.0f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
