"""Looking inside RQ for the admin console: registries, one job's requeue or cancel, workers.

Both job-queue adapters (rq_jobs.py) call these on their Redis connection, real or fakeredis,
so the console sees the same thing in embedded and production mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from redis import Redis
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import BaseRegistry, ScheduledJobRegistry

from lumikb_app.ports.jobs import JobActionRefused, JobInfo, NoSuchJob, QueueInfo, WorkerInfo

MAX_ARG_CHARS = 80
MAX_ERROR_CHARS = 500
_REGISTRY_OF_STATUS = {
    JobStatus.QUEUED: "queued",
    JobStatus.SCHEDULED: "scheduled",
    JobStatus.DEFERRED: "deferred",
    JobStatus.STARTED: "started",
    JobStatus.FAILED: "failed",
}
_CANCELLABLE = {"queued", "scheduled", "deferred", "failed"}


def waiting_job_ids(queue: Queue) -> list[str]:
    """The ids of the queue's jobs that are queued, scheduled (a retry's backoff included) or
    running: the jobs Redis still holds to do."""
    return [
        *queue.get_job_ids(),
        *queue.scheduled_job_registry.get_job_ids(cleanup=False),
        *queue.started_job_registry.get_job_ids(cleanup=False),
    ]


def registries(queue: Queue) -> dict[str, BaseRegistry]:
    """The queue's RQ registries by name (its queued jobs are the queue itself)."""
    return {
        "scheduled": queue.scheduled_job_registry,
        "deferred": queue.deferred_job_registry,
        "started": queue.started_job_registry,
        "failed": queue.failed_job_registry,
    }


def queue_status(queues: Mapping[str, Queue], jobs_per_registry: int) -> list[QueueInfo]:
    return [_queue_info(name, queue, jobs_per_registry) for name, queue in queues.items()]


def _queue_info(name: str, queue: Queue, limit: int) -> QueueInfo:
    counts = {"queued": queue.count}
    ids = {"queued": queue.get_job_ids(0, limit - 1) if limit else []}
    for registry_name, registry in registries(queue).items():
        counts[registry_name] = registry.get_job_count(cleanup=False)
        # Newest first: RQ orders a registry by score (expiry or due time), oldest first.
        ids[registry_name] = (
            list(reversed(registry.get_job_ids(-limit, -1, cleanup=False))) if limit else []
        )
    jobs = [
        _info(job, name, registry_name)
        for registry_name, job_ids in ids.items()
        for job in _fetch(queue.connection, job_ids)
    ]
    scheduled = queue.scheduled_job_registry
    jobs = [
        replace(job, due_at=_due(scheduled, job.id)) if job.registry == "scheduled" else job
        for job in jobs
    ]
    return QueueInfo(name=name, counts=counts, jobs=jobs)


def _due(registry: ScheduledJobRegistry, job_id: str) -> datetime | None:
    try:
        return registry.get_scheduled_time(job_id)
    except NoSuchJobError:  # ran in the meantime
        return None


def _fetch(connection: Redis, job_ids: Sequence[str]) -> list[Job]:
    return [job for job in Job.fetch_many(list(job_ids), connection=connection) if job is not None]


def _info(job: Job, queue: str, registry: str) -> JobInfo:
    return JobInfo(
        id=job.id,
        queue=queue,
        registry=registry,
        function=_function(job),
        args=tuple(str(arg)[:MAX_ARG_CHARS] for arg in (job.args or ())),
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
        error=_last_error_line(job) if registry == "failed" else "",
    )


def _function(job: Job) -> str:
    try:
        return job.func_name or ""
    except Exception:  # a job whose data cannot be read still shows up, unnamed
        return ""


def _last_error_line(job: Job) -> str:
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or job.exc_info or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:MAX_ERROR_CHARS] if lines else ""


def _job(connection: Redis, job_id: str) -> Job:
    try:
        return Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        raise NoSuchJob(f"No job has the id {job_id!r}: it may have finished or expired.") from None


def _registry_of(job: Job) -> str:
    status = job.get_status(refresh=True)
    return _REGISTRY_OF_STATUS.get(status, status.value) if status is not None else "unknown"


def requeue(connection: Redis, queues: Mapping[str, Queue], job_id: str) -> JobInfo:
    job = _job(connection, job_id)
    registry = _registry_of(job)
    if registry != "failed" or job.origin not in queues:
        raise JobActionRefused(f"Only a failed job can be requeued; job {job_id} is {registry}.")
    queues[job.origin].failed_job_registry.requeue(job)
    return _info(job, job.origin, "queued")


def cancel(connection: Redis, queues: Mapping[str, Queue], job_id: str) -> JobInfo:
    job = _job(connection, job_id)
    registry = _registry_of(job)
    if registry not in _CANCELLABLE or job.origin not in queues:
        raise JobActionRefused(
            f"Job {job_id} is {registry}: only a job that has not started, or a failed one, "
            "can be cancelled."
        )
    info = _info(job, job.origin, registry)
    if registry == "failed":
        queues[job.origin].failed_job_registry.remove(job, delete_job=True)
        return info
    try:
        job.cancel()
    except InvalidJobOperation as refused:
        raise JobActionRefused(str(refused)) from None
    return info


def workers(connection: Redis) -> list[WorkerInfo]:
    found = [_worker_info(w) for w in Worker.all(connection=connection) if isinstance(w, Worker)]
    return sorted(found, key=lambda w: w.name)


def _worker_info(worker: Worker) -> WorkerInfo:
    return WorkerInfo(
        name=worker.name,
        hostname=worker.hostname or "",
        pid=worker.pid,
        state=str(worker.get_state()),
        queues=tuple(worker.queue_names()),
        current_job=worker.get_current_job_id() or "",
        last_heartbeat=worker.last_heartbeat,
        started_at=worker.birth_date,
        successful_jobs=worker.successful_job_count or 0,
        failed_jobs=worker.failed_job_count or 0,
    )
