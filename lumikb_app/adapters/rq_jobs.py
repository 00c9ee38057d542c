"""Job queues on RQ: real Redis with `rq worker` processes, or fakeredis with a worker thread.

Both adapters enqueue the same job functions through RQ, with the same retry
policy, so a job behaves the same in embedded and production mode.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import fakeredis
from redis import Redis
from rq import Callback, Queue, Retry, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from lumikb_app.adapters import rq_admin
from lumikb_app.domain import log_context
from lumikb_app.ports.jobs import QUEUES, JobInfo, QueueInfo, WorkerInfo

log = logging.getLogger(__name__)

DEFAULT_RETRY_INTERVALS = (5, 30, 120)
_WAITING = {JobStatus.SCHEDULED, JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.STARTED}
DEFAULT_JOB_TIMEOUT = 3600


def _request_meta() -> dict[str, str]:
    """The request (or job) that queues this job: its log lines and the job's share an id."""
    request_id = log_context.request_id()
    return {log_context.REQUEST_ID_META: request_id} if request_id else {}


class _RqJobQueue:
    """Enqueue on any Redis connection; subclasses decide who runs the jobs."""

    embedded: bool

    def __init__(
        self,
        connection: Redis,
        *,
        retry_intervals: Sequence[int] = DEFAULT_RETRY_INTERVALS,
        job_timeout: int = DEFAULT_JOB_TIMEOUT,
    ) -> None:
        self.connection = connection
        self.retry_intervals = list(retry_intervals)
        self.job_timeout = job_timeout
        self.queues = {name: Queue(name, connection=connection) for name in QUEUES}

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
        if queue not in self.queues:
            raise ValueError(f"unknown queue {queue!r}; workers listen on {', '.join(QUEUES)}")
        job = self.queues[queue].enqueue_call(
            func,  # type: ignore[type-var]  # rq's TypeVar is constrained to str *or* a callable; both work
            args=args,
            kwargs=kwargs,
            job_id=job_id,
            timeout=self.job_timeout,
            retry=self._retry(retries),
            on_failure=Callback(on_failure) if on_failure else None,
            meta=_request_meta(),
        )
        return job.id

    def schedule(
        self,
        delay_seconds: int,
        func: Callable[..., Any] | str,
        *args: Any,
        queue: str = "default",
        job_id: str | None = None,
    ) -> str:
        """Run `func(*args)` after a delay, through RQ's scheduler. A job of that id still
        waiting (scheduled, queued or running) is kept: one run per id."""
        from datetime import timedelta

        if job_id is not None and self._waiting(job_id):
            return job_id
        job = self.queues[queue].enqueue_in(
            timedelta(seconds=delay_seconds),
            func,  # type: ignore[type-var]  # as in enqueue: str or a callable, either works
            *args,
            job_id=job_id,
            meta=_request_meta(),
        )
        return job.id

    def _waiting(self, job_id: str) -> bool:
        try:
            status = Job.fetch(job_id, connection=self.connection).get_status(refresh=False)
        except NoSuchJobError:
            return False
        return status in _WAITING

    def waiting_first_args(self, queue: str) -> set[str]:
        """The first argument of each job of `queue` that is queued, scheduled (a retry's
        backoff included) or running: the documents whose ingest job Redis still holds."""
        ids = rq_admin.waiting_job_ids(self.queues[queue])
        jobs = Job.fetch_many(ids, connection=self.connection)
        return {str(job.args[0]) for job in jobs if job is not None and job.args}

    def _retry(self, retries: int) -> Retry | None:
        if retries <= 0:
            return None
        return Retry(max=retries, interval=self.retry_intervals)

    def depths(self) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for name, queue in self.queues.items():
            found[(name, "queued")] = queue.count
            for registry, jobs in rq_admin.registries(queue).items():
                found[(name, registry)] = jobs.get_job_count(cleanup=False)
        return found

    # -- the admin console's view (adapters/rq_admin.py) -------------------------------------

    def queue_status(self, jobs_per_registry: int = 20) -> list[QueueInfo]:
        return rq_admin.queue_status(self.queues, jobs_per_registry)

    def requeue(self, job_id: str) -> JobInfo:
        return rq_admin.requeue(self.connection, self.queues, job_id)

    def cancel(self, job_id: str) -> JobInfo:
        return rq_admin.cancel(self.connection, self.queues, job_id)

    def workers(self) -> list[WorkerInfo]:
        return rq_admin.workers(self.connection)

    def health(self) -> None:
        self.connection.ping()

    def close(self) -> None:
        self.connection.close()


class RedisJobQueue(_RqJobQueue):
    """RQ on a Redis server; separate `rq worker` processes (`python -m workers.main`) run the jobs."""

    embedded = False

    def __init__(self, redis_url: str, **options: Any) -> None:
        super().__init__(Redis.from_url(redis_url), **options)


class _ThreadWorker(SimpleWorker):
    """An RQ SimpleWorker that can live in a daemon thread of the app process.

    - no signal handlers (`signal.signal` only works in the main thread);
    - job timeouts by a timer raising in this thread instead of SIGALRM;
    - no process title change and no pub/sub command thread;
    - polls every `poll_seconds`, moving due scheduled jobs (retries with a
      backoff interval) onto their queues, since RQ's scheduler would fork a
      process that cannot see fakeredis's memory;
    - stops when `stop_event` is set.
    """

    death_penalty_class = TimerDeathPenalty

    def __init__(
        self,
        queues: Iterable[str],
        *,
        stop_event: threading.Event,
        poll_seconds: int = 1,
        **kw: Any,
    ) -> None:
        super().__init__(list(queues), **kw)
        self.stop_event = stop_event
        self.poll_seconds = poll_seconds
        self.in_thread_scheduler = RQScheduler(self.queues, connection=self.connection)

    def _install_signal_handlers(self) -> None:
        pass

    def procline(self, message: str) -> None:
        pass

    def subscribe(self) -> None:
        pass

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> tuple[Job, Queue] | None:
        while not self.stop_event.is_set():
            self.enqueue_due_jobs()
            result = super().dequeue_job_and_maintain_ttl(
                self.poll_seconds, max_idle_time=self.poll_seconds
            )
            if result is not None:
                return result
        return None

    def enqueue_due_jobs(self) -> None:
        if self.in_thread_scheduler.acquire_locks():
            self.in_thread_scheduler.enqueue_scheduled_jobs()


class EmbeddedJobQueue(_RqJobQueue):
    """RQ on fakeredis, with `workers` RQ SimpleWorkers, each in a daemon thread of this process.

    More than one, so that a job that takes long (a slow document, up to its parse timeout)
    does not hold every other job back."""

    embedded = True

    def __init__(self, *, poll_seconds: int = 1, workers: int = 1, **options: Any) -> None:
        super().__init__(fakeredis.FakeStrictRedis(), **options)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(
                target=self._run,
                args=(self._new_worker(poll_seconds),),
                name=f"lumikb-rq-worker-{number}",
                daemon=True,
            )
            for number in range(1, workers + 1)
        ]
        for thread in self._threads:
            thread.start()

    def _new_worker(self, poll_seconds: int) -> _ThreadWorker:
        return _ThreadWorker(
            QUEUES, connection=self.connection, stop_event=self._stop, poll_seconds=poll_seconds
        )

    def _run(self, worker: _ThreadWorker) -> None:
        while not self._stop.is_set():
            try:
                worker.work(logging_level="WARNING")
            except Exception:
                log.exception("embedded RQ worker crashed")
            if not self._stop.is_set():
                log.error("embedded RQ worker stopped unexpectedly; restarting in 1 s")
                self._stop.wait(1)

    def health(self) -> None:
        super().health()
        stopped = [thread.name for thread in self._threads if not thread.is_alive()]
        if stopped:
            raise RuntimeError(f"embedded RQ worker thread(s) not running: {', '.join(stopped)}")

    def close(self, timeout: float = 10) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        super().close()
