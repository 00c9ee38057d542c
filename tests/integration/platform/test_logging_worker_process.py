"""In a team deployment, a `python -m workers.main` process writes JSON log lines carrying the
request id each job was queued with, and serves its own metrics (WORKER_METRICS_PORT): a failed
attempt, made in RQ's forked work-horse, shows in lumikb_job_failures_total there."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lumikb_app.adapters.rq_jobs import RedisJobQueue
from lumikb_app.db.migrate import upgrade
from lumikb_app.domain import log_context
from tests.integration.platform.private_redis import PrivateRedis, free_port, wait_for
from tests.integration.platform.worker_processes import server_env, start_worker, stop

pytestmark = pytest.mark.integration


def _json_lines(path: Path) -> list[dict]:
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines if line.startswith("{")]


def _failures(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "lumikb_job_failures_total" and sample.labels == {
                "queue": "default",
                "job": "process_outbox",
            }:
                return sample.value
    return 0


def test_a_worker_logs_each_jobs_request_id_and_counts_its_failures(pg_url, tmp_path):
    upgrade(pg_url)
    redis = PrivateRedis(tmp_path)
    redis.start()
    port, log, folder = free_port(), tmp_path / "worker.log", tmp_path / "prometheus"
    folder.mkdir()
    env = server_env(
        redis_url=redis.url,
        database_url=pg_url,
        data_dir=tmp_path / "data",
        LOG_FORMAT="json",
        WORKER_METRICS_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(folder),
    )
    worker = start_worker(env, log)
    try:
        queue = RedisJobQueue(redis.url)
        with log_context.scope(request_id="req-worker-1"):
            done = queue.enqueue("workers.tasks.process_outbox", 999_999, retries=0)
        with log_context.scope(request_id="req-worker-2"):
            failed = queue.enqueue("workers.tasks.process_outbox", "not a number", retries=0)

        def both_ended() -> bool:
            said = [line["message"] for line in _json_lines(log)]
            return any("outbox finished" in m for m in said) and any(
                "outbox failed" in m for m in said
            )

        wait_for(both_ended, 90, "both jobs to end in the worker's log")
        jobs = [
            line
            for line in _json_lines(log)
            if line["logger"] == "workers.tasks" and line.get("job_id") in (done, failed)
        ]
        by_request = {
            (line["request_id"], line["job_id"], line["message"].split(" in ")[0].split(":")[0])
            for line in jobs
        }
        assert by_request == {
            ("req-worker-1", done, "job process_outbox started"),
            ("req-worker-1", done, "job process_outbox finished"),
            ("req-worker-2", failed, "job process_outbox started"),
            ("req-worker-2", failed, "job process_outbox failed"),
        }
        assert all({"time", "level", "logger", "message"} <= set(line) for line in jobs)
        wait_for(lambda: _failures(port) == 1, 30, "the worker's failure count")
    finally:
        stop(worker)
        redis.stop()
