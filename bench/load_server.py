"""The server under load for bench/load.py: a production-mode LumiKB (`reflex run --env prod`, one
port) on embedded defaults in a temp DATA_DIR, started the way the e2e harness starts it, with
100 PEPs ingested and the simulated users created through the services before it starts
(embedded mode locks DATA_DIR). Also the sampler of its RSS and CPU, read from /proc.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import BUN, ROOT, TEST_ENV, _free_port, _stop, _wait_until_serving

PEPS = ROOT.parent / "shared" / "corpora" / "peps"
PASSWORD = "load bench password"
E2E_LOCK = Path("/tmp/e2e.lock")  # the prod build writes .web/ of the tree, as e2e runs do
READY_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Seeded:
    kb_id: str
    emails: list[str]
    api_tokens: list[str]


def _bench_env(data_dir: Path) -> None:
    from lumikb_app.settings import Settings

    for name in Settings.model_fields:
        os.environ.pop(name, None)
    os.environ.update(DATA_DIR=str(data_dir), **TEST_ENV)


def seed(data_dir: Path, users: int, peps: int) -> Seeded:
    """Migrate; an admin's KB with `peps` ready PEPs; `users` members who may write to it, each
    with a personal API token. One shared argon2 hash: hashing it per user would only cost time."""
    _bench_env(data_dir)
    from lumikb_app.container import get_container, reset_container
    from lumikb_app.db.migrate import upgrade
    from lumikb_app.domain.enums import KbRole, SystemRole
    from lumikb_app.services.accounts import api_tokens, auth, grants
    from lumikb_app.services.accounts.passwords import hash_password
    from lumikb_app.services.knowledge_bases import kbs
    from tests.e2e.seed_documents import _upload

    reset_container()
    try:
        upgrade()
        hashed = hash_password(PASSWORD)
        emails = [f"user{n:03d}@example.com" for n in range(users)]
        with get_container().db.session() as session:
            admin = auth.create_user(
                session, email="loadadmin@example.com", display_name="Load Admin",
                password=None, role=SystemRole.admin,
            )  # fmt: skip
            members = [
                auth.create_user(session, email=e, display_name=f"User {e[4:7]}", password=None)
                for e in emails
            ]
            for member in [admin, *members]:
                member.password_hash = hashed
            session.commit()
            for member in [admin, *members]:
                session.refresh(member)
                session.expunge(member)
        kb = kbs.create_kb(admin, "Python PEPs", "Python Enhancement Proposals.")
        for email in emails:
            grants.set_grant(admin, kb.id, email, KbRole.WRITE)
        tokens = [api_tokens.create_token(m, "load bench")[0] for m in members]
        started = time.monotonic()
        for path in sorted(PEPS.glob("*.rst"))[:peps]:
            _upload(admin, kb.id, path.name, path.read_bytes())
        _wait_until_ready(kb.id, peps)
        print(f"seeded {peps} PEPs in {time.monotonic() - started:.0f} s", flush=True)
        return Seeded(kb.id, emails, tokens)
    finally:
        reset_container()


def _wait_until_ready(kb_id: str, expected: int) -> None:
    from sqlmodel import func, select

    from lumikb_app.container import get_container
    from lumikb_app.db.tables import Document

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with get_container().db.session() as session:
            counts = dict(
                session.exec(
                    select(Document.status, func.count())
                    .where(Document.kb_id == kb_id)
                    .group_by(Document.status)
                ).all()
            )
        if counts.get("ready", 0) + counts.get("failed", 0) >= expected:
            return
        time.sleep(1)
    raise RuntimeError(f"PEPs not ready after {READY_TIMEOUT_SECONDS} s: {counts}")


@contextlib.contextmanager
def serving(data_dir: Path, log_path: Path, extra_env: dict[str, str]) -> Iterator[Server]:
    """The prod server on a free port, holding the e2e lock (it builds into the tree's .web/)."""
    from lumikb_app.settings import Settings

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in Settings.model_fields}
    env.update(
        DATA_DIR=str(data_dir), REFLEX_BUN_PATH=str(BUN), REFLEX_TELEMETRY_ENABLED="False",
        LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONUNBUFFERED="1", **TEST_ENV, **extra_env,
    )  # fmt: skip
    command = [
        sys.executable, "-m", "reflex", "run", "--env", "prod",
        "--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1",
    ]  # fmt: skip
    with E2E_LOCK.open("a") as lock:
        print(f"waiting for {E2E_LOCK} (one prod build in the tree at a time)…", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            _wait_until_serving(process, base_url, log_path)
            print(f"server up in {time.monotonic() - started:.0f} s (log {log_path})", flush=True)
            yield Server(base_url, process.pid)
        finally:
            _stop(process)


@dataclass
class Server:
    base_url: str
    pid: int  # session leader: the server's processes are the members of its session


@dataclass
class Usage:
    """Peak RSS, CPU seconds and the highest 1-minute load average over one level."""

    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0
    peak_load: float = 0.0


def _session_stats(session_id: int) -> tuple[float, float]:
    """(RSS MB, CPU seconds) summed over the processes of a session."""
    page, ticks = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    rss = cpu = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[3]) != session_id:  # fields after "(comm)": state ppid pgrp session
                continue
            cpu += (int(stat[11]) + int(stat[12])) / ticks
            rss += int(Path(entry.path, "statm").read_text().split()[1]) * page / 2**20
    return rss, cpu


class Sampler:
    """Samples the server's processes once a second in a thread while a level runs."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.usage = Usage()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Usage:
        self._cpu_start = _session_stats(self.session_id)[1]
        self._thread.start()
        return self.usage

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.usage.cpu_seconds = _session_stats(self.session_id)[1] - self._cpu_start

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            rss, _ = _session_stats(self.session_id)
            self.usage.peak_rss_mb = max(self.usage.peak_rss_mb, rss)
            self.usage.peak_load = max(self.usage.peak_load, os.getloadavg()[0])
