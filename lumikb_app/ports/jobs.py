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
        **kwargs: Any,
    ) -> str:
        """Queue `func(*args, **kwargs)`; return the RQ job id."""

    def status(self, job_id: str) -> str | None:
        """RQ status name of the job, or None if unknown."""

    def health(self) -> None: ...

    def close(self) -> None: ...
