"""Backends a request-fault test may take down without touching the machine's own servers:
a TCP proxy in front of PostgreSQL that drops and refuses connections on demand, and a private
redis-server that can be stopped and started again on the same port."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
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


class TcpProxy:
    """127.0.0.1:<port> -> target. `down()` cuts every open connection and closes each new one
    at once (the server seems gone); `up()` forwards again."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_up = True
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def down(self) -> None:
        with self._lock:
            self.is_up = False
            for sock in self._open:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def up(self) -> None:
        with self._lock:
            self.is_up = True

    def close(self) -> None:
        self._closed = True
        self.down()
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:  # checked after connecting: a down() meanwhile cuts this one too
                if not self.is_up:
                    client.close()
                    server.close()
                    continue
                self._open.update({client, server})
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)


class PrivateRedis:
    """A redis-server of the test's own, without persistence, that `stop` and `start` again on
    the same port."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [*command, "--save", "", "--appendonly", "no"], stdout=log, stderr=log
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


@contextmanager
def proxy_to(port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(port)
    try:
        yield proxy
    finally:
        proxy.close()
