"""With REDIS_URL (several processes) every store must be a server: the web app and the worker
each refuse embedded ones at start-up with one message naming the variables to set, and exit
(no crash loop, no job failing later with EdgeStoreLocked). Real processes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rq import Worker

from lumikb_app.services.platform.deployment import UnworkableDeployment
from lumikb_app.services.platform.lifecycle import open_backends
from tests.conftest import PROJECT_ROOT
from tests.integration.platform.job_helpers import flushed_redis
from tests.integration.platform.private_redis import free_port
from tests.integration.platform.worker_processes import server_env

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own; nothing may register in it
ALL_EMBEDDED = ("QDRANT_HOST", "DATABASE_URL", "MINIO_ENDPOINT", "MINIO_ACCESS_KEY")


def _env(tmp_path, **overrides: str) -> dict[str, str]:
    env = server_env(
        redis_url=REDIS_URL,
        database_url="postgresql://127.0.0.1:5432/test",
        data_dir=tmp_path / "data",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _one_message(result: subprocess.CompletedProcess) -> str:
    output = result.stdout + result.stderr
    assert output.count("LumiKB cannot start") == 1, output
    assert "Traceback" not in output, output
    return output


@pytest.fixture
def redis_db():
    with flushed_redis(REDIS_URL) as client:
        yield client


def test_worker_refuses_every_embedded_store_and_names_its_variables(tmp_path, redis_db):
    embedded = {name: "" for name in ALL_EMBEDDED} | {"MINIO_SECRET_KEY": ""}
    result = _run([sys.executable, "-m", "workers.main"], _env(tmp_path, **embedded))
    assert result.returncode == 2
    message = _one_message(result)
    for name in ("REDIS_URL", "QDRANT_HOST", "DATABASE_URL", "MINIO_ENDPOINT"):
        assert name in message
    assert "unset REDIS_URL" in message
    assert Worker.all(connection=redis_db) == []  # it never registered, let alone took a job
    assert not (tmp_path / "data").exists()  # and opened no store


def test_worker_names_only_what_is_still_embedded(tmp_path, redis_db):
    result = _run([sys.executable, "-m", "workers.main"], _env(tmp_path, QDRANT_HOST=""))
    assert result.returncode == 2
    message = _one_message(result)
    assert "QDRANT_HOST" in message
    assert "DATABASE_URL" not in message and "MINIO_ENDPOINT" not in message


def test_web_app_refuses_before_starting_its_workers(tmp_path, redis_db):
    port = free_port()
    result = _run(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only",
         "--backend-port", str(port)],
        _env(tmp_path, QDRANT_HOST=""),
    )  # fmt: skip
    assert result.returncode != 0
    message = _one_message(result)
    assert "QDRANT_HOST" in message and "REDIS_URL" in message
    assert not (tmp_path / "data").exists()


def test_app_start_up_refuses_before_opening_any_store(data_dir, monkeypatch):
    """The lifespan's own check, for a start that does not go through `reflex run`."""
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    with pytest.raises(UnworkableDeployment) as refused:
        open_backends()
    assert refused.value.code == 2
    assert "QDRANT_HOST" in str(refused.value)
    assert not (data_dir / "vectors").exists() and not data_dir.exists()
