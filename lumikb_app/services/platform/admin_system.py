"""The admin console's system view (system administrators only): every backend's health with its
mode, latency and version, the job workers with their heartbeats, each model's usage over 30
days, and the archived knowledge bases with restore (services/knowledge_bases/kb_archive).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import KnowledgeBase, UsageDaily, User
from lumikb_app.ports.jobs import WorkerInfo
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.knowledge_bases import kb_archive
from lumikb_app.services.platform import health
from lumikb_app.services.platform.transactions import read_session

USAGE_DAYS = 30
_SUMMED = ("calls", "errors", "prompt_tokens", "completion_tokens", "cost_usd")
# The client library of each backend, per mode: its version is cheap to read and names the engine.
_LIBRARIES = {
    "vectors": {"embedded": "qdrant-edge-py", "server": "qdrant-client"},
    "blobs": {"embedded": "", "server": "minio"},
    "graph": {"embedded": "", "server": "neo4j"},
    "jobs": {"embedded": "fakeredis", "server": "rq"},
    "cache": {"embedded": "", "server": "redis"},
}


NotRestorable = kb_archive.NotRestorable


@dataclass(frozen=True)
class BackendStatus:
    name: str
    mode: str
    ok: bool
    latency_ms: float | None
    version: str
    error: str


@dataclass(frozen=True)
class SystemStatus:
    status: str
    mode: str
    backends: list[BackendStatus]
    workers: list[WorkerInfo]
    workers_error: str


@dataclass(frozen=True)
class ModelUsage:
    kind: str
    model: str
    calls: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class ArchivedKb:
    kb_id: str
    name: str
    documents: int
    archived_at: datetime


async def system_status(actor: User) -> SystemStatus:
    """Probes every backend (bounded by health.CHECK_TIMEOUT_SECONDS) and lists the workers."""
    require_admin(actor)
    report = await health.check_all()
    database_version = await asyncio.to_thread(_database_version)
    workers, workers_error = await asyncio.to_thread(_workers)
    backends = [
        BackendStatus(
            name=name,
            mode=found["mode"],
            ok=found["ok"],
            latency_ms=found["latency_ms"],
            version=database_version
            if name == "database"
            else _library_version(name, found["mode"]),
            error=found["error"] or "",
        )
        for name, found in report["backends"].items()
    ]
    return SystemStatus(report["status"], report["mode"], backends, workers, workers_error)


def _workers() -> tuple[list[WorkerInfo], str]:
    try:
        return get_container().jobs.workers(), ""
    except Exception as error:  # Redis down: the backends list says so too
        return [], f"{type(error).__name__}: {error}"[:300]


def _database_version() -> str:
    try:
        with read_session() as session:
            dialect = session.get_bind().dialect
            session.exec(select(1)).one()  # connects, so the server's version is known
            version = ".".join(str(part) for part in (dialect.server_version_info or ()))
            return f"{dialect.name} {version}".strip()
    except Exception:
        return ""


def _library_version(backend: str, mode: str) -> str:
    package = _LIBRARIES.get(backend, {}).get(mode, "")
    if not package:
        return "built in"
    try:
        return f"{package} {importlib.metadata.version(package)}"
    except importlib.metadata.PackageNotFoundError:
        return package


def usage_by_model(actor: User, days: int = USAGE_DAYS) -> list[ModelUsage]:
    """Each model's calls, errors, tokens and cost over the last `days` days, busiest first."""
    require_admin(actor)
    first = (datetime.now(UTC).date() - timedelta(days=max(1, min(days, 366)) - 1)).isoformat()
    with read_session() as session:
        rows = session.execute(
            sql_select(
                col(UsageDaily.kind),
                col(UsageDaily.model),
                *(func.sum(col(getattr(UsageDaily, name))) for name in _SUMMED),
            )
            .where(col(UsageDaily.day) >= first, col(UsageDaily.model) != "")
            .group_by(col(UsageDaily.kind), col(UsageDaily.model))
        ).all()
    found = [
        ModelUsage(kind, model, int(c), int(e), int(p), int(o), float(cost or 0))
        for kind, model, c, e, p, o, cost in rows
    ]
    return sorted(found, key=lambda row: (-row.calls, row.model))


def archived_kbs(actor: User) -> list[ArchivedKb]:
    """Every archived KB that can be restored (a deleted KB is archived while it is purged: not
    those); the list is services/knowledge_bases/kb_archive's, which KB admins see too."""
    require_admin(actor)
    return [
        ArchivedKb(kb.kb_id, kb.name, kb.documents, kb.archived_at)
        for kb in kb_archive.archived_kbs(actor)
        if kb.archived_at is not None
    ]


def restore_kb(actor: User, kb_id: str, ip: str | None = None) -> KnowledgeBase:
    """Bring an archived KB back to every listing and search (audited as kb.restored)."""
    require_admin(actor)
    return kb_archive.restore_kb(actor, kb_id, ip=ip)
