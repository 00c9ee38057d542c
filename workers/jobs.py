"""RQ job functions: they take ids or plain values and are idempotent.

The same functions run in an `rq worker` process (production) and in the
embedded worker thread inside the app. Real ingestion jobs come later.
"""

import os
from pathlib import Path


class JobFailed(RuntimeError):
    """Raised by `fail`: a job that always fails, to exercise the retry path."""


def ping(token: str) -> str:
    return f"pong:{token}"


def write_marker(path: str, text: str) -> str:
    """Write `text` to `path` atomically; running it twice leaves the same file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
    return str(target)


def fail(reason: str) -> None:
    raise JobFailed(reason)
