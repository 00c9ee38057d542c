"""Job functions for the job-queue tests only: a result, a side effect and a job that always fails.

The RQ worker process in test_jobs.py imports them by dotted path (it runs from the project root),
exactly as it imports the real jobs in workers/tasks.py.
"""

import os
from pathlib import Path


class JobFailed(RuntimeError):
    """Raised by `fail`, to exercise the retry path."""


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


def wait_for_file(path: str, timeout: float = 30) -> bool:
    """A long job: runs until `path` exists (or `timeout` seconds pass)."""
    import time

    deadline = time.monotonic() + timeout
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return Path(path).exists()


def note_model_call(model: str) -> None:
    """A job that calls a model once, as far as usage counting sees it."""
    from lumikb_app.services.platform import usage

    usage.model_call("llm", model, True, 3, 2)
