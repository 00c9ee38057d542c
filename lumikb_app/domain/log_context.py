"""What the log lines of this task are about: `request_id`, `user_id`, `kb_id`, `job_id`.

A contextvar, so each request, Reflex event or job has its own, and threads started with
`asyncio.to_thread` inherit it. The API middleware and the Reflex event guard start a request;
code that learns who acts or on which KB binds it; the RQ adapter puts the request id into the
meta of the jobs queued meanwhile, and the job functions (workers/tasks.py) restore it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

FIELDS = ("request_id", "user_id", "kb_id", "job_id")
REQUEST_ID_META = "request_id"  # the key in an RQ job's meta
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_EMPTY: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("lumikb_log_context", default=_EMPTY)


def safe_request_id(candidate: str | None) -> str:
    """The caller's request id when it is short and plain (letters, digits, `._:-`), else a new one."""
    if candidate and _SAFE_REQUEST_ID.match(candidate):
        return candidate
    return secrets.token_hex(8)


def current() -> Mapping[str, str]:
    return _context.get()


def request_id() -> str | None:
    return _context.get().get("request_id")


def _clean(fields: Mapping[str, object]) -> dict[str, str]:
    return {name: str(value) for name, value in fields.items() if value is not None}


def bind(**fields: object) -> None:
    """Add fields to this task's context, until its request, event or job ends."""
    _context.set(MappingProxyType({**_context.get(), **_clean(fields)}))


@contextmanager
def scope(**fields: object) -> Iterator[None]:
    """Run a block with a fresh context made of `fields` (a request, a job)."""
    token = _context.set(MappingProxyType(_clean(fields)))
    try:
        yield
    finally:
        _context.reset(token)


def start_request(candidate: str | None = None) -> str:
    """A new request id for this task (a Reflex event): replaces the earlier context."""
    new_id = safe_request_id(candidate)
    _context.set(MappingProxyType({"request_id": new_id}))
    return new_id
