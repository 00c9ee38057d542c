"""Job queue port. Both adapters run the same job functions through RQ."""

from collections.abc import Callable
from typing import Any, Protocol

QUEUES = ("ingest", "graph", "default")


class JobQueue(Protocol):
    embedded: bool

    def enqueue(
        self,
        func: Callable[..., Any] | str,
        *args: Any,
        queue: str = "default",
        job_id: str | None = None,
        retries: int = 3,
        on_failure: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Queue `func(*args, **kwargs)`; return the RQ job id.

        `on_failure` is the dotted path of an RQ failure callback, called after every failed attempt.
        """

    def schedule(
        self,
        delay_seconds: int,
        func: Callable[..., Any] | str,
        *args: Any,
        queue: str = "default",
        job_id: str | None = None,
    ) -> str:
        """Run `func(*args)` after `delay_seconds`, through RQ's scheduler."""

    def waiting_first_args(self, queue: str) -> set[str]:
        """The first argument of every job of `queue` still queued, scheduled or running."""

    def health(self) -> None: ...

    def close(self) -> None: ...
