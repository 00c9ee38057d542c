"""What the admin console shows, as flat rows the page can render, made from the services' answers.

Blocking on purpose: the console state runs each `read_*` on a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lumikb_app.db.tables import User
from lumikb_app.ports.jobs import JobInfo, QueueInfo
from lumikb_app.services.platform import admin_dashboard, admin_jobs, admin_system


@dataclass
class Figure:
    label: str
    value: str


@dataclass
class StorageRow:
    kb_id: str
    name: str
    documents: int
    size: str


@dataclass
class FailedRow:
    document_id: str
    name: str
    kb_id: str
    kb_name: str
    error: str
    when: str


@dataclass
class QueueRow:
    name: str
    queued: int
    scheduled: int
    deferred: int
    started: int
    failed: int


@dataclass
class JobRow:
    id: str
    queue: str
    registry: str
    function: str
    subject: str
    kb_id: str
    enqueued: str
    started: str
    error: str


@dataclass
class BackendRow:
    name: str
    mode: str
    ok: bool
    latency: str
    version: str
    error: str


@dataclass
class WorkerRow:
    name: str
    host: str
    state: str
    queues: str
    current_job: str
    heartbeat: str
    done: str


@dataclass
class UsageRow:
    kind: str
    model: str
    calls: int
    errors: int
    tokens: str
    cost: str


@dataclass
class ArchivedRow:
    kb_id: str
    name: str
    documents: int
    archived: str


def clock(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if moment.tzinfo
        else moment.strftime("%Y-%m-%d %H:%M:%S")
    )


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = max(0, int((datetime.now(UTC) - aware).total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


@dataclass
class DashboardView:
    figures: list[Figure]
    storage: list[StorageRow]
    chart: list[dict[str, Any]]
    failed: list[FailedRow]


def read_dashboard(actor: User, days: int) -> DashboardView:
    found = admin_dashboard.dashboard(actor, days)
    totals = found.totals
    figures = [
        Figure("People", str(totals.users)),
        Figure("Knowledge bases", str(totals.kbs)),
        Figure("Documents", str(totals.documents)),
        Figure("Passages", str(totals.passages)),
        Figure("Stored files", human_bytes(totals.storage_bytes)),
    ]
    chart = [
        {
            "day": day.day[5:],
            "searches": day.searches,
            "chats": day.chats,
            "documents": day.documents_ready,
            "passages": day.passages_ready,
            "pages": day.pages_ready,
        }
        for day in found.days
    ]
    return DashboardView(
        figures,
        [
            StorageRow(kb.kb_id, kb.name, kb.documents, human_bytes(kb.bytes))
            for kb in found.storage
        ],
        chart,
        [
            FailedRow(f.document_id, f.name, f.kb_id, f.kb_name, f.error, clock(f.failed_at))
            for f in found.failed
        ],
    )


def read_queues(actor: User) -> tuple[list[QueueRow], list[JobRow]]:
    queues, subjects = admin_jobs.queue_status(actor)
    return [_queue_row(queue) for queue in queues], [
        _job_row(job, subjects.get(job.id)) for queue in queues for job in queue.jobs
    ]


def _queue_row(queue: QueueInfo) -> QueueRow:
    c = queue.counts
    return QueueRow(
        queue.name,
        c.get("queued", 0),
        c.get("scheduled", 0),
        c.get("deferred", 0),
        c.get("started", 0),
        c.get("failed", 0),
    )


def _job_row(job: JobInfo, subject: admin_jobs.JobSubject | None) -> JobRow:
    what = ""
    if subject is not None:
        what = (
            f"{subject.document_name} in {subject.kb_name}"
            if subject.document_name
            else subject.kb_name
        )
    return JobRow(
        id=job.id,
        queue=job.queue,
        registry=job.registry,
        function=job.function.rsplit(".", 1)[-1],
        subject=what or ", ".join(job.args),
        kb_id=subject.kb_id if subject is not None else "",
        enqueued=f"due {clock(job.due_at)}" if job.due_at else clock(job.enqueued_at),
        started=clock(job.started_at),
        error=job.error,
    )


async def read_system(actor: User) -> tuple[str, list[BackendRow], list[WorkerRow], str]:
    found = await admin_system.system_status(actor)
    backends = [
        BackendRow(
            b.name,
            b.mode,
            b.ok,
            "—" if b.latency_ms is None else f"{b.latency_ms:.1f} ms",
            b.version,
            b.error,
        )
        for b in found.backends
    ]
    workers = [
        WorkerRow(
            w.name[:12],
            f"{w.hostname} pid {w.pid}" if w.pid else w.hostname,
            w.state,
            ", ".join(w.queues),
            w.current_job,
            _ago(w.last_heartbeat),
            f"{w.successful_jobs} ok · {w.failed_jobs} failed",
        )
        for w in found.workers
    ]
    return f"{found.status} · {found.mode} mode", backends, workers, found.workers_error


def read_usage(actor: User) -> list[UsageRow]:
    return [
        UsageRow(
            u.kind,
            u.model,
            u.calls,
            u.errors,
            f"{u.prompt_tokens:,} in · {u.completion_tokens:,} out",
            f"${u.cost_usd:.4f}" if u.cost_usd else "—",
        )
        for u in admin_system.usage_by_model(actor)
    ]


def read_archived(actor: User) -> list[ArchivedRow]:
    return [
        ArchivedRow(kb.kb_id, kb.name, kb.documents, clock(kb.archived_at))
        for kb in admin_system.archived_kbs(actor)
    ]
