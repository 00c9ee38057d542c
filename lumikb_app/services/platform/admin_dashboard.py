"""The admin dashboard's figures (system administrators only), read in one unit of work.

Totals (people, KBs, documents, passages), storage per KB (the bytes of every stored version of
its files), searches and chat answers per day (from `usage_daily`), documents that became ready
per day, and the newest failed documents with their reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from lumikb_app.db.tables import Chunk, Document, KnowledgeBase, UsageDaily, User
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.platform.transactions import read_session

PERIODS = (14, 30)  # days the charts can show
FAILED_SHOWN = 20
STORAGE_SHOWN = 50  # the largest KBs; the total counts them all
_GONE = (DocumentStatus.deleting.value, DocumentStatus.superseded.value)


class BadPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Totals:
    users: int
    kbs: int
    documents: int
    passages: int
    storage_bytes: int


@dataclass(frozen=True)
class KbStorage:
    kb_id: str
    name: str
    documents: int
    bytes: int


@dataclass(frozen=True)
class DayUse:
    day: str  # ISO date
    searches: int
    chats: int
    documents_ready: int
    pages_ready: int
    passages_ready: int


@dataclass(frozen=True)
class FailedDocument:
    document_id: str
    name: str
    kb_id: str
    kb_name: str
    error: str
    failed_at: datetime


@dataclass(frozen=True)
class Dashboard:
    totals: Totals
    storage: list[KbStorage]
    days: list[DayUse]
    failed: list[FailedDocument]


def dashboard(actor: User, days: int = 14) -> Dashboard:
    require_admin(actor)
    if days not in PERIODS:
        raise BadPeriod(f"Choose a period of {' or '.join(map(str, PERIODS))} days.")
    first = datetime.now(UTC).date() - timedelta(days=days - 1)
    with read_session() as session:
        storage = _storage(session)
        return Dashboard(
            totals=_totals(session, sum(kb.bytes for kb in storage)),
            storage=_largest(storage),
            days=_days(session, first, days),
            failed=_failed(session),
        )


def _count(session: Session, query) -> int:
    return int(session.exec(query).one() or 0)


def _totals(session: Session, storage_bytes: int) -> Totals:
    current = col(Document.status).not_in(_GONE)
    return Totals(
        users=_count(session, select(func.count()).select_from(User).where(User.is_active)),
        kbs=_count(
            session,
            select(func.count())
            .select_from(KnowledgeBase)
            .where(col(KnowledgeBase.archived_at).is_(None)),
        ),
        documents=_count(session, select(func.count()).select_from(Document).where(current)),
        passages=_count(session, select(func.count()).select_from(Chunk)),
        storage_bytes=storage_bytes,
    )


def _storage(session: Session) -> list[KbStorage]:
    """Bytes of stored files per KB: every version still kept, the largest KBs first."""
    rows = session.exec(
        select(
            KnowledgeBase.id,
            KnowledgeBase.name,
            func.count(col(Document.id)),
            func.coalesce(func.sum(Document.size_bytes), 0),
        )
        .join(
            Document,
            (col(Document.kb_id) == KnowledgeBase.id)
            & (col(Document.status) != DocumentStatus.deleting.value),
            isouter=True,
        )
        .group_by(col(KnowledgeBase.id), col(KnowledgeBase.name))
    ).all()
    found = [KbStorage(kb_id, name, int(docs), int(size)) for kb_id, name, docs, size in rows]
    return sorted(found, key=lambda kb: (-kb.bytes, kb.name))


def _largest(storage: list[KbStorage]) -> list[KbStorage]:
    return storage[:STORAGE_SHOWN]


def _days(session: Session, first: date, days: int) -> list[DayUse]:
    uses = session.exec(
        select(UsageDaily.day, UsageDaily.kind, func.sum(UsageDaily.calls))
        .where(UsageDaily.day >= first.isoformat(), col(UsageDaily.kind).in_(("search", "chat")))
        .group_by(col(UsageDaily.day), col(UsageDaily.kind))
    ).all()
    counts = {(day, kind): int(calls) for day, kind, calls in uses}
    ready = _ready_per_day(session, first)
    series = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        documents, pages, passages = ready.get(day, (0, 0, 0))
        series.append(
            DayUse(
                day,
                counts.get((day, "search"), 0),
                counts.get((day, "chat"), 0),
                documents,
                pages,
                passages,
            )
        )
    return series


def _ready_per_day(session: Session, first: date) -> dict[str, tuple[int, int, int]]:
    """Documents that became ready per day (the day of their last status change), with their
    pages and passages, added up by the database."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    day = func.date(Document.updated_at)
    rows = session.exec(
        select(
            day,
            func.count(),
            func.coalesce(func.sum(Document.page_count), 0),
            func.coalesce(func.sum(Document.chunk_count), 0),
        )
        .where(Document.status == DocumentStatus.ready.value, Document.updated_at >= start)
        .group_by(day)
    ).all()
    return {str(d): (int(n), int(pages or 0), int(chunks or 0)) for d, n, pages, chunks in rows}


def _failed(session: Session) -> list[FailedDocument]:
    rows = session.exec(
        select(Document, KnowledgeBase.name)
        .join(KnowledgeBase, col(KnowledgeBase.id) == Document.kb_id)
        .where(Document.status == DocumentStatus.failed.value)
        .order_by(col(Document.updated_at).desc())
        .limit(FAILED_SHOWN)
    ).all()
    return [
        FailedDocument(doc.id, doc.name, doc.kb_id, kb_name, doc.error or "", doc.updated_at)
        for doc, kb_name in rows
    ]
