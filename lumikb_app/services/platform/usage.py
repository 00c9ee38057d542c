"""What was used per day (table `usage_daily`): searches, chat answers, each model's calls.

`note()` only adds to an in-memory buffer, so a search or a model call never waits on a write.
A daemon thread flushes the buffer every FLUSH_SECONDS (and `stop()`/exit flushes what is
left) with one additive upsert per row: `calls = calls + n`, inserting the row if it is
missing. Several web processes and workers may add to the same row at once; nothing is
overwritten. A flush that fails keeps its counts for the next one.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.dialects import postgresql, sqlite

from lumikb_app.db.tables import UsageDaily
from lumikb_app.services.platform import telemetry
from lumikb_app.services.platform.transactions import transaction

FLUSH_SECONDS = 10.0
KINDS = ("search", "chat", "llm", "embedding")
FIELDS = ("calls", "errors", "prompt_tokens", "completion_tokens", "cost_usd")
MAX_MODEL_CHARS = 200

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Key:
    day: str
    kind: str
    model: str


class UsageBuffer:
    """Counts waiting to be written, by (day, kind, model); safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[_Key, Counter[str]] = {}

    def add(self, key: _Key, **amounts: float) -> None:
        with self._lock:
            self._counts.setdefault(key, Counter()).update(amounts)

    def take(self) -> dict[_Key, Counter[str]]:
        with self._lock:
            taken, self._counts = self._counts, {}
        return taken

    def give_back(self, counts: dict[_Key, Counter[str]]) -> None:
        for key, amounts in counts.items():
            self.add(key, **amounts)

    def flush(self) -> int:
        """Write every waiting count additively; returns how many rows it added to."""
        counts = self.take()
        if not counts:
            return 0
        try:
            with transaction() as session:
                insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
                for key, amounts in counts.items():
                    session.execute(_upsert(insert, key, amounts))
        except Exception:
            self.give_back(counts)
            raise
        return len(counts)


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def _upsert(insert, key: _Key, amounts: Counter[str]):
    values = {field: amounts.get(field, 0) for field in FIELDS}
    statement = insert(UsageDaily).values(day=key.day, kind=key.kind, model=key.model, **values)
    table = UsageDaily.__table__.c  # type: ignore[attr-defined]
    return statement.on_conflict_do_update(
        index_elements=["day", "kind", "model"],
        set_={field: table[field] + statement.excluded[field] for field in FIELDS},
    )


_buffer = UsageBuffer()
_flusher: threading.Thread | None = None
_stopped = threading.Event()
_start_lock = threading.Lock()


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def note(
    kind: str,
    model: str = "",
    ok: bool = True,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost_usd: float = 0.0,
) -> None:
    """Count one use of `kind` (a search, a chat answer, a model call); never blocks on I/O."""
    key = _Key(today(), kind, model[:MAX_MODEL_CHARS])
    _buffer.add(
        key,
        calls=1,
        errors=0 if ok else 1,
        prompt_tokens=max(0, int(prompt_tokens)),
        completion_tokens=max(0, int(completion_tokens)),
        cost_usd=max(0.0, float(cost_usd)),
    )
    _ensure_flusher()


def model_call(
    kind: str,
    model: str,
    ok: bool,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost_usd: float = 0.0,
) -> None:
    """One call to a model: the day's usage row and the Prometheus counters."""
    note(kind, model, ok, prompt_tokens, completion_tokens, cost_usd)
    telemetry.model_call(model, ok, prompt_tokens, completion_tokens)


def flush() -> int:
    """Write what is waiting now (tests, shutdown); returns how many rows it added to."""
    return _buffer.flush()


def stop() -> None:
    """Stop the flusher and write what is left (app and worker shutdown)."""
    _stopped.set()
    try:
        flush()
    except Exception as error:
        log.warning("could not write the last usage counts: %s", str(error).splitlines()[0])


def _ensure_flusher() -> None:
    global _flusher
    if _flusher is not None and _flusher.is_alive():
        return
    with _start_lock:
        if _flusher is None or not _flusher.is_alive():
            _stopped.clear()
            _flusher = threading.Thread(target=_flush_forever, name="usage-flush", daemon=True)
            _flusher.start()


def _flush_forever() -> None:
    while not _stopped.wait(FLUSH_SECONDS):
        try:
            flush()
        except Exception as error:  # the counts stay in the buffer for the next try
            log.warning("could not write usage counts, will try again: %s", str(error)[:200])


atexit.register(stop)
