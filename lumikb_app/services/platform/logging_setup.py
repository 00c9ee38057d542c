"""One logging setup for the app, the CLI and the workers: JSON lines (or plain text) with context.

Every record carries time, level, logger and message, plus, when known, `request_id`,
`user_id`, `kb_id` and `job_id` from this task's context (domain/log_context.py).

Secrets never reach a log line: the redaction filter rewrites tokens, passwords, cookies, API
keys and bearer credentials in the formatted message and its exception text. Document text is
never logged by the code that handles it; this module cannot know it when it sees it.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any

from pythonjsonlogger.json import JsonFormatter

from lumikb_app.domain import log_context
from lumikb_app.domain.log_context import FIELDS as CONTEXT_FIELDS

REDACTED = "[redacted]"
# `name=value`, `name: value` and JSON `"name": "value"` for secret-looking names; bearer
# credentials; our personal API tokens (lkb_...); JWTs (three base64url parts).
_SECRET_NAMES = (
    r"[\w-]*(?:password|passwd|secret|token|api[_-]?key|apikey|cookie|authorization|session)[\w-]*"
)
_SECRET_PATTERNS = (
    re.compile(
        rf"""(?i)(["']?{_SECRET_NAMES}["']?\s*[:=]\s*)(?!\d+\b)(?:"[^"]*"|'[^']*'|[^\s,;&}}]+)"""
    ),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"()\blkb_[A-Za-z0-9_-]{8,}"),
    re.compile(r"()\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
)


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


# -- records -----------------------------------------------------------------------------------


class ContextFilter(logging.Filter):
    """Puts the context fields on each record, and redacts secrets from its text."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = log_context.current()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name) and name in context:
                setattr(record, name, context[name])
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _RedactingJson(JsonFormatter):
    # python-json-logger may give the traceback as a list of lines
    def formatException(self, ei: Any) -> str | list[str]:  # type: ignore[override]  # noqa: N802
        text = super().formatException(ei)
        return redact(text) if isinstance(text, str) else [redact(line) for line in text]


class _RedactingText(logging.Formatter):
    def formatException(self, ei: Any) -> str:  # noqa: N802  (logging's name)
        return redact(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(
            f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS if hasattr(record, name)
        )
        record.context = f" [{extra}]" if extra else ""
        return super().format(record)


def json_formatter() -> logging.Formatter:
    return _RedactingJson(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",  # ISO 8601 in UTC, microseconds
    )


def text_formatter() -> logging.Formatter:
    return _RedactingText("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")


_HANDLER_NAME = "lumikb"


def configure_logging(
    level: str = "INFO", fmt: str = "text", stream: IO[str] | None = None
) -> None:
    """Send the root logger's records through one handler on stderr (idempotent).

    Other handlers already on the root logger (a server's) keep their format but get the
    context and redaction filter too: a secret must not reach any of them."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is not None and stream is not None:
        root.removeHandler(handler)
        handler = None
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(json_formatter() if fmt == "json" else text_formatter())
    for each in root.handlers:
        if not any(isinstance(f, ContextFilter) for f in each.filters):
            each.addFilter(ContextFilter())
    root.setLevel(level)


def configure_from_settings() -> None:
    from lumikb_app.settings import get_settings

    settings = get_settings()
    configure_logging(settings.LOG_LEVEL, settings.log_format)
