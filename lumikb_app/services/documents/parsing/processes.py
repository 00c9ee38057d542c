"""Parsing in separate processes, each parse with a hard time limit.

A parser stuck in C code (lexbor, docutils' tables, PDFium) cannot be interrupted in the thread
that called it, so `parse` hands the file to a child process and waits for its answer at most
`timeout` seconds; past that the child is killed and the document fails with a reason a person
understands. Children are started once and kept warm (`python -m` this module: they load a
parser library the first time a file of its type arrives), so a parse costs a round trip, not
a process start. A child that timed out, died or was interrupted is never reused. A pool
belongs to the process that made it: a forked RQ work-horse starts its own.

The protocol on the child's stdin and stdout: length-prefixed pickles of plain tuples. The
child's own stdout goes to stderr, so a library that prints cannot corrupt it.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from lumikb_app.domain.documents import ParsedBlock, ParsedDocument
from lumikb_app.services.documents.parsing import ParseError
from lumikb_app.services.documents.parsing import parse as parse_here

_HEADER = struct.Struct(">Q")
_WAIT_SLICE = 0.5  # seconds; the waiting thread wakes this often, so it can be interrupted
KEEP_IDLE = 2  # warm children kept between parses (embedded mode runs two job threads)


class ParserCrashed(RuntimeError):
    """The parser failed with an unexpected error (a bug, as in-process parsing would raise)."""


def too_slow(timeout: float) -> str:
    return (
        f"The document took longer than {timeout:g} s to read, so reading it was stopped. "
        "It may be damaged or unusually complex; save it again or split it, and upload it again."
    )


STOPPED = (
    "The reader stopped unexpectedly on this file; it may be damaged. "
    "Save it again and upload it again."
)


class _Child:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        self.reader: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        self.writer: IO[bytes] = self.process.stdin  # type: ignore[assignment]

    def ask(self, request: tuple[str, str], timeout: float) -> tuple[str, Any]:
        try:
            _send(self.writer, request)
        except BrokenPipeError:  # it died before it could read the request
            raise ParseError(STOPPED) from None
        deadline = time.monotonic() + timeout
        header = self._read(_HEADER.size, deadline, timeout)
        return pickle.loads(self._read(_HEADER.unpack(header)[0], deadline, timeout))

    def _read(self, size: int, deadline: float, timeout: float) -> bytes:
        data = bytearray()
        descriptor = self.reader.fileno()
        while len(data) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ParseError(too_slow(timeout))
            ready, _, _ = select.select([descriptor], [], [], min(left, _WAIT_SLICE))
            if not ready:
                continue
            block = os.read(descriptor, min(size - len(data), 1 << 20))
            if not block:
                raise ParseError(STOPPED)
            data += block
        return bytes(data)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for stream in (self.reader, self.writer):
            stream.close()


class ParserProcesses:
    """A pool of warm parser children; any number of threads may parse at once."""

    def __init__(self, keep_idle: int = KEEP_IDLE) -> None:
        self.keep_idle = keep_idle
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def parse(self, path: Path, mime_type: str, timeout: float) -> ParsedDocument:
        """Parse as `parsing.parse` does, in a child; ParseError past `timeout` seconds."""
        child = self._take()
        try:
            kind, value = child.ask((str(path), mime_type), timeout)
        except BaseException:
            child.kill()  # timed out, died, or this thread was interrupted: never reuse it
            raise
        self._give_back(child)
        if kind == "refused":
            raise ParseError(value)
        if kind == "crashed":
            raise ParserCrashed(value)
        blocks, page_count, title, parsed_type = value
        return ParsedDocument(
            tuple(ParsedBlock(*block) for block in blocks), page_count, title, parsed_type
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()

    def _take(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
                child.kill()
        return _Child()

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            if len(self._idle) < self.keep_idle:
                self._idle.append(child)
                return
        child.kill()


_pools: dict[int, ParserProcesses] = {}
_pools_lock = threading.Lock()


def parse(path: Path, mime_type: str, timeout: float) -> ParsedDocument:
    """Parse in this process's pool of parser children (made on first use)."""
    with _pools_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            _pools.clear()  # a forked child: its parent's children are not its own
            pool = _pools[os.getpid()] = ParserProcesses()
    return pool.parse(path, mime_type, timeout)


def _send(stream: IO[bytes], message: object) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    return pickle.loads(stream.read(_HEADER.unpack(header)[0]))


def _answer(path: str, mime_type: str) -> tuple[str, Any]:
    try:
        document = parse_here(Path(path), mime_type)
    except ParseError as refused:
        return "refused", refused.reason
    except Exception:
        return "crashed", traceback.format_exc()
    blocks = [(b.text, b.page, b.heading_path, b.kind) for b in document.blocks]
    return "parsed", (blocks, document.page_count, document.title, document.mime_type)


def _serve(parent: int) -> None:
    """The child: answer requests until the parent closes its end, or dies."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a child stops
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what a library prints goes to stderr, not into the answers
    while (request := _receive(requests)) is not None:
        _send(answers, _answer(*request))


def _die_with(parent: int) -> None:
    """Linux kills this child when the thread that started it ends, even if the child is stuck
    in C code (a closed pipe is only noticed between requests)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends an idle child
        pass
    if os.getppid() != parent:
        os._exit(0)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
