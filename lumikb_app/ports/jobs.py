"""Job queue port. Both adapters run the same job functions through RQ.

Besides queueing, the port lets the admin console look inside the queues (each RQ registry's
count and its newest jobs), requeue or cancel one job, and list the worker processes with their
heartbeats.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

QUEUES = ("ingest", "graph", "default")
# RQ's registries of a queue, in the order a job moves through them.
REGISTRIES = ("queued", "scheduled", "deferred", "started", "failed")


class NoSuchJob(LookupError):
    """No job has this id (it finished, expired, or never existed)."""


class JobActionRefused(ValueError):
    """The job exists but cannot be requeued or cancelled in its present state."""


@dataclass(frozen=True)
class JobInfo:
    id: str
    queue: str
    registry: str  # one of REGISTRIES
    function: str  # the dotted path of the job function
    args: tuple[str, ...]  # its positional arguments, as text (ids: jobs take ids only)
    enqueued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    error: str = ""  # a failed job's exception: the last line of its traceback
    due_at: datetime | None = None  # a scheduled job's time to run (a retry's backoff, a timer)


@dataclass(frozen=True)
class QueueInfo:
    name: str
    counts: dict[str, int]  # registry -> how many jobs it holds
    jobs: list[JobInfo] = field(default_factory=list)  # the newest few of each registry


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    hostname: str
    pid: int | None
    state: str  # RQ's: idle, busy, suspended, ...
    queues: tuple[str, ...]
    current_job: str
    last_heartbeat: datetime | None
    started_at: datetime | None
    successful_jobs: int
    failed_jobs: int


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

    def depths(self) -> dict[tuple[str, str], int]:
        """How many jobs each queue holds in each registry: {(queue, registry): count} for
        registries queued, started, scheduled, deferred and failed (the /metrics gauge)."""

    def queue_status(self, jobs_per_registry: int = 20) -> list[QueueInfo]:
        """Every queue's registries: counts, and up to `jobs_per_registry` jobs of each."""
        ...

    def requeue(self, job_id: str) -> JobInfo:
        """Put a failed job back on its queue; raise NoSuchJob or JobActionRefused."""
        ...

    def cancel(self, job_id: str) -> JobInfo:
        """Take a job that has not started out of its queue (or a failed one out of the failed
        registry); raise NoSuchJob, or JobActionRefused for a running job."""
        ...

    def workers(self) -> list[WorkerInfo]:
        """The worker processes (or threads) RQ knows of, with their last heartbeat."""
        ...

    def health(self) -> None: ...

    def close(self) -> None: ...
