"""Real processes for the multi-process and worker-fault tests (with private_redis.py's Redis):
`python -m workers.main` workers, and the environment of a deployment whose stores are
all servers (the only one several processes may share, services/platform/deployment.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from rq import Worker

from tests.conftest import PROJECT_ROOT
from tests.integration.platform.private_redis import free_port, wait_for

# One worker at a time on the embedded vector store, which `python -m workers.main` refuses with
# REDIS_URL (several processes): for tests that make sure no other process opens it meanwhile.
SINGLE_WORKER = (
    "import sys; from workers.main import main; "
    "sys.exit(main(sys.argv[1:], check_deployment=False))"
)


def server_env(
    *, redis_url: str, database_url: str, data_dir: Path, **extra: str
) -> dict[str, str]:
    """A deployment's environment with every store a server. Nothing answers at QDRANT_HOST (no
    Qdrant server can run on this machine) nor, unless `extra` names one, at MINIO_ENDPOINT."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "LUMIKB_ENV": "test",
        "REFLEX_TELEMETRY_ENABLED": "False",
        "DATA_DIR": str(data_dir),
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "QDRANT_HOST": "127.0.0.1",
        "QDRANT_PORT": str(free_port()),
        "MINIO_ENDPOINT": f"127.0.0.1:{free_port()}",
        "MINIO_ACCESS_KEY": "lumikb",
        "MINIO_SECRET_KEY": "lumikb-secret",
        **extra,
    }


def start_worker(
    env: dict[str, str], log_path: Path, command: list[str] | None = None
) -> subprocess.Popen:
    """A worker in a session of its own, so it can be killed with its work-horse and scheduler."""
    with log_path.open("a") as log:
        return subprocess.Popen(
            command or [sys.executable, "-m", "workers.main"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


@contextmanager
def two_workers(
    env: dict[str, str], log_path: Path, redis: Redis
) -> Iterator[dict[int, subprocess.Popen]]:
    """Two workers by pid, once both have registered in `redis`; stopped at the end."""
    workers = {p.pid: p for p in (start_worker(env, log_path), start_worker(env, log_path))}
    try:
        wait_for(lambda: len(Worker.all(connection=redis)) == 2, 60, "two workers")
        yield workers
    finally:
        for process in workers.values():
            stop(process)


def kill_hard(process: subprocess.Popen) -> None:
    """kill -9 the worker, its work-horse and its scheduler at once, as a lost machine would."""
    subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        kill_hard(process)


# Reflex's own production backend path (`reflex run --env prod --backend-only`: Granian, with
# GRANIAN_WORKERS workers, each importing the app). Called directly because rxconfig.py names a
# frontend port, which makes `reflex run --backend-only` refuse to start.
WEB_BACKEND = """
import sys
from reflex_base import constants
from reflex_base.constants.base import LogLevel
from reflex_base.environment import environment
from reflex.utils import exec as reflex_exec

environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
environment.REFLEX_SKIP_COMPILE.set(True)
environment.REFLEX_BACKEND_ONLY.set(True)
reflex_exec.run_backend_prod("127.0.0.1", int(sys.argv[1]), LogLevel.INFO, False)
"""


def start_web(env: dict[str, str], port: int, log_path: Path, workers: int = 1) -> subprocess.Popen:
    """A web process group serving the app's backend on `port` with `workers` Granian workers."""
    return start_worker(
        {**env, "GRANIAN_WORKERS": str(workers)},
        log_path,
        [sys.executable, "-c", WEB_BACKEND, str(port)],
    )
