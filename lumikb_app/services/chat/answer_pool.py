"""Where answers are written: a bounded pool of threads that the chat page and the REST API share.

Writing an answer blocks (retrieval, the model, the database), so each one runs on a thread.
At most `CHAT_MAX_STREAMS` run at once per process. A caller first reserves a place
(`reserve`, which raises `ChatBusy` when every place is taken) before it stores anything, then
either runs the answer in it (`Slot.run`: the place is freed when the work ends, however it
ends) or gives it back unused (`Slot.release`, a no-op once the work has started). Every
reserved place runs at once: the executor has as many threads as there are places.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lumikb_app.settings import get_settings

log = logging.getLogger(__name__)

BUSY = "Many answers are being written right now. Try again in a moment."
BUSY_RETRY_SECONDS = 5


class ChatRefused(Exception):
    """An answer was not started; the message is for a person, `retry_after` in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChatBusy(ChatRefused):
    def __init__(self) -> None:
        super().__init__(BUSY, BUSY_RETRY_SECONDS)


class AnswerPool:
    def __init__(self, size: int) -> None:
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="chat-answer")
        self._lock = threading.Lock()
        self._in_use = 0

    @property
    def in_use(self) -> int:
        with self._lock:
            return self._in_use

    def reserve(self) -> Slot:
        with self._lock:
            if self._in_use >= self.size:
                raise ChatBusy()
            self._in_use += 1
        return Slot(self)

    def _free(self) -> None:
        with self._lock:
            self._in_use -= 1


class Slot:
    """One reserved place on the pool, used once."""

    def __init__(self, pool: AnswerPool) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._state = "reserved"  # -> "running" -> "done", or -> "released"

    def run(self, work: Callable[[], None], then: Callable[[], None] = lambda: None) -> None:
        """Run `work` on the pool; when it returns or raises, free the place, then call `then`
        (on the same thread)."""
        with self._lock:
            if self._state != "reserved":
                raise RuntimeError(f"this place is {self._state}")
            self._state = "running"
        self._pool._executor.submit(self._work, work, then)

    def release(self) -> None:
        """Give back a place whose work never started (and do nothing otherwise)."""
        with self._lock:
            if self._state != "reserved":
                return
            self._state = "released"
        self._pool._free()

    def _work(self, work: Callable[[], None], then: Callable[[], None]) -> None:
        try:
            work()
        except Exception:
            log.exception("chat answer work failed")
        finally:
            with self._lock:
                self._state = "done"
            self._pool._free()
            then()


_pool: AnswerPool | None = None
_pool_lock = threading.Lock()


def answer_pool() -> AnswerPool:
    """The process's pool, sized by CHAT_MAX_STREAMS (rebuilt if that setting changed)."""
    global _pool
    size = get_settings().CHAT_MAX_STREAMS
    with _pool_lock:
        if _pool is None or _pool.size != size:
            _pool = AnswerPool(size)
        return _pool
