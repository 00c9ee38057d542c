"""A private redis-server for tests that stop, kill or restart Redis without touching the
machine's own (other helpers and CI use it), and the waiting and free-port helpers it needs."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


class PrivateRedis:
    """A redis-server of the test's own, without persistence (a restart starts it empty), that
    `stop` and `start` again on the same port."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "--save", "", "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(self._answers, 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def client(self) -> Redis:
        return Redis.from_url(self.url, socket_timeout=2)

    def _answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except Exception:  # ConnectionError while it starts
            return False


@contextmanager
def private_redis(log_dir: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(log_dir)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
