"""The admin console's queues (system administrators only): each RQ registry with its jobs, and
requeueing or cancelling one job, audited. Job ids are checked before RQ sees them.

A job's document or KB is named when its first argument is one (jobs take ids only).
The queue is asked first and the audit row written after, so no unit of work is open while
Redis answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.ports.jobs import JobActionRefused, JobInfo, NoSuchJob, QueueInfo
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.platform.transactions import read_session, transaction

JOBS_PER_REGISTRY = 20
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


class BadJobId(ValueError):
    pass


@dataclass(frozen=True)
class JobSubject:
    """What a job works on, when its first argument is a document or a KB."""

    kb_id: str = ""
    kb_name: str = ""
    document_name: str = ""


def queue_status(actor: User) -> tuple[list[QueueInfo], dict[str, JobSubject]]:
    """Every queue's registries and newest jobs, and what each job works on (by job id)."""
    require_admin(actor)
    queues = get_container().jobs.queue_status(JOBS_PER_REGISTRY)
    jobs = [job for queue in queues for job in queue.jobs]
    return queues, _subjects(jobs)


def _subjects(jobs: list[JobInfo]) -> dict[str, JobSubject]:
    ids = {job.args[0] for job in jobs if job.args}
    if not ids:
        return {}
    with read_session() as session:
        docs = session.exec(
            select(Document.id, Document.name, KnowledgeBase.id, KnowledgeBase.name)
            .join(KnowledgeBase, col(KnowledgeBase.id) == Document.kb_id)
            .where(col(Document.id).in_(ids))
        ).all()
        kbs = session.exec(
            select(KnowledgeBase.id, KnowledgeBase.name).where(col(KnowledgeBase.id).in_(ids))
        ).all()
    known = {doc_id: JobSubject(kb_id, kb_name, name) for doc_id, name, kb_id, kb_name in docs}
    known.update({kb_id: JobSubject(kb_id, kb_name) for kb_id, kb_name in kbs})
    return {job.id: known[job.args[0]] for job in jobs if job.args and job.args[0] in known}


def _valid_id(job_id: str) -> str:
    job_id = (job_id or "").strip()
    if not _JOB_ID.fullmatch(job_id):
        raise BadJobId("That is not a job id: letters, digits and . _ : - only, at most 128.")
    return job_id


def requeue_job(actor: User, job_id: str, ip: str | None = None) -> JobInfo:
    """Run a failed job again. Raises BadJobId, NoSuchJob or JobActionRefused (nothing changes)."""
    require_admin(actor)
    job = get_container().jobs.requeue(_valid_id(job_id))
    _audit(actor, "job.requeued", job, ip)
    return job


def cancel_job(actor: User, job_id: str, ip: str | None = None) -> JobInfo:
    """Take a job that has not started out of its queue, or a failed one out of the failed list."""
    require_admin(actor)
    job = get_container().jobs.cancel(_valid_id(job_id))
    _audit(actor, "job.cancelled", job, ip)
    return job


def _audit(actor: User, action: str, job: JobInfo, ip: str | None) -> None:
    with transaction() as session:
        audit.record(
            session,
            action,
            actor=actor,
            ip=ip,
            target=job.id,
            details={"queue": job.queue, "function": job.function},
        )


__all__ = ["BadJobId", "JobActionRefused", "JobSubject", "NoSuchJob"]
