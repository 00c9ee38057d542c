"""A worker killed with kill -9 mid-job: another worker resumes the job (RQ's abandoned-job
cleanup and retry, tuned in workers/recovery.py) and finishes it once, no step run twice.
Two real `python -m workers.main` processes on PostgreSQL and a private Redis."""

from __future__ import annotations

import time

import psycopg
import pytest
from rq.job import Job

from lumikb_app.adapters.rq_jobs import RedisJobQueue
from tests.integration.platform import fault_jobs
from tests.integration.platform.private_redis import private_redis, wait_for
from tests.integration.platform.worker_processes import kill_hard, server_env, two_workers

pytestmark = pytest.mark.integration

STEPS, STEP_SECONDS = 40, 0.5
KILL_AFTER_STEPS = 4
RESUME_PROMISE_SECONDS = 120  # the bar: a killed job resumes within two minutes


def _rows(database_url: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, list(args)).fetchall()


@pytest.fixture
def redis_server(tmp_path):
    with private_redis(tmp_path) as server:
        yield server


def test_a_job_of_a_worker_killed_mid_job_finishes_once_on_the_other_worker(
    redis_server, pg_url, tmp_path
):
    fault_jobs.create_tables(pg_url)
    env = server_env(redis_url=redis_server.url, database_url=pg_url, data_dir=tmp_path / "data")
    log_path = tmp_path / "workers.log"
    with redis_server.client() as connection, two_workers(env, log_path, connection) as workers:
        queue = RedisJobQueue(redis_server.url)
        job_id = queue.enqueue(
            f"{fault_jobs.__name__}.stepped", pg_url, "k", STEPS, STEP_SECONDS, queue="ingest"
        )
        wait_for(
            lambda: len(fault_jobs.steps(pg_url, "k")) >= KILL_AFTER_STEPS, 60, "the first steps"
        )
        first_pid = fault_jobs.steps(pg_url, "k")[0][1]
        kill_hard(workers[first_pid])
        killed_at = time.monotonic()
        done_before_kill = len(fault_jobs.steps(pg_url, "k"))
        (other_pid,) = set(workers) - {first_pid}
        wait_for(
            lambda: any(pid == other_pid for _, pid in fault_jobs.steps(pg_url, "k")),
            RESUME_PROMISE_SECONDS,
            f"the other worker to resume the job (log: {log_path})",
        )
        print(f"resumed {time.monotonic() - killed_at:.0f} s after kill -9")
        wait_for(lambda: _rows(pg_url, "SELECT * FROM fault_done"), 60, "the job to finish")
        steps = fault_jobs.steps(pg_url, "k")
        assert sorted(step for step, _ in steps) == list(range(STEPS))  # each step exactly once
        assert {pid for _, pid in steps[:done_before_kill]} == {first_pid}
        assert {pid for _, pid in steps[done_before_kill:]} == {other_pid}
        assert _rows(pg_url, "SELECT worker_pid FROM fault_done") == [(other_pid,)]
        job = Job.fetch(job_id, connection=connection)
        assert job.get_status() == "finished" and job.return_value() == STEPS
        assert workers[other_pid].poll() is None
