"""Tamper-evident audit log: append-only rows chained by SHA-256 (DESIGN.md "Access").

`record()` joins the caller's transaction, so the event commits or rolls back with the change;
the readers (`verify`, `search`, `actions`, the CSV export) open their own read sessions.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import AuditEvent, User
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.platform.transactions import read_session, transaction

GENESIS_HASH = "0" * 64
_PG_CHAIN_LOCK = 0x1A0D17  # advisory lock id serialising writers of the chain tip
_Query = TypeVar("_Query", bound=SelectOfScalar[Any])
CSV_COLUMNS = (
    "seq",
    "created_at",
    "actor_email",
    "actor_id",
    "ip",
    "action",
    "target",
    "kb_id",
    "details",
)
MAX_FILTER_LENGTH = 254


def _timestamp(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical(event: AuditEvent) -> str:
    fields = {
        "seq": event.seq,
        "created_at": _timestamp(event.created_at),
        "actor_id": event.actor_id,
        "actor_email": event.actor_email,
        "ip": event.ip,
        "action": event.action,
        "target": event.target,
        "kb_id": event.kb_id,
        "details": event.details,
    }
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    ip: str | None = None,
    target: str | None = None,
    kb_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    tip = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    last_seq = tip.seq if tip and tip.seq is not None else 0
    event = AuditEvent(
        seq=last_seq + 1,
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else None,
        ip=(ip or None) and ip[:64],
        action=action,
        target=(target or None) and target[:255],
        kb_id=kb_id,
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=tip.hash if tip else GENESIS_HASH,
        hash="",
    )
    event.hash = chain_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    broken_seq: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.intact:
            return f"chain intact ({self.events} events)"
        return f"chain BROKEN at event seq={self.broken_seq}: {self.reason}"


def verify(batch: int = 1000) -> ChainReport:
    """Walk the whole chain, a batch at a time, each batch in its own read."""
    prev_hash, expected_seq, seen, last_seq = GENESIS_HASH, 1, 0, 0
    while True:
        with read_session() as session:
            rows = session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.seq) > last_seq)
                .order_by(col(AuditEvent.seq))
                .limit(batch)
            ).all()
        if not rows:
            return ChainReport(True, seen)
        for event in rows:
            if event.seq != expected_seq:
                return ChainReport(False, seen, expected_seq, "event missing (sequence gap)")
            if event.prev_hash != prev_hash:
                return ChainReport(False, seen, event.seq, "does not link to the previous event")
            if chain_hash(prev_hash, event) != event.hash:
                return ChainReport(False, seen, event.seq, "content changed after it was written")
            prev_hash, expected_seq, seen, last_seq = (
                event.hash,
                expected_seq + 1,
                seen + 1,
                event.seq,
            )


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None  # email substring
    action: str | None = None
    kb_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class BadFilter(ValueError):
    """A filter a person typed that cannot be read (a bad date, an end before the start)."""


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise BadFilter(f"{name} must be a date like 2024-05-31.") from error


def audit_filter(
    actor: str | None = None,
    action: str | None = None,
    kb_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> AuditFilter:
    """Filters as typed by a person: `since` and `until` are whole UTC days, both included."""
    first, last = _day(since, "From"), _day(until, "To")
    if first and last and last < first:
        raise BadFilter("The end date is before the start date.")
    return AuditFilter(
        actor=(actor or "").strip()[:MAX_FILTER_LENGTH] or None,
        action=(action or "").strip()[:64] or None,
        kb_id=(kb_id or "").strip()[:36] or None,
        since=datetime.combine(first, datetime.min.time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
        if last
        else None,
    )


def _filtered(query: _Query, f: AuditFilter) -> _Query:
    if f.actor:
        query = query.where(col(AuditEvent.actor_email).contains(f.actor.strip().lower()))
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.kb_id:
        query = query.where(AuditEvent.kb_id == f.kb_id)
    if f.since:
        query = query.where(AuditEvent.created_at >= f.since)
    if f.until:
        query = query.where(AuditEvent.created_at < f.until)
    return query


def search(
    actor: User, f: AuditFilter, *, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    require_admin(actor)
    per_page = max(1, min(per_page, 500))
    with read_session() as session:
        total = session.exec(_filtered(select(func.count()).select_from(AuditEvent), f)).one()
        rows = session.exec(
            _filtered(select(AuditEvent), f)
            .order_by(col(AuditEvent.seq).desc())
            .offset((max(page, 1) - 1) * per_page)
            .limit(per_page)
        ).all()
    return list(rows), total


def actions(actor: User) -> list[str]:
    require_admin(actor)
    with read_session() as session:
        return sorted(session.exec(select(AuditEvent.action).distinct()).all())


def _cell(value: object) -> object:
    """Neutralise spreadsheet formulas (CSV injection) in text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(actor: User, f: AuditFilter, ip: str | None = None) -> Iterator[str]:
    """Check access and record the export before the first byte, then stream the CSV."""
    require_admin(actor)
    with transaction() as session:
        record(
            session,
            "audit.exported",
            actor=actor,
            ip=ip,
            details={k: str(v) for k, v in vars(f).items() if v},
        )
    return csv_rows(f)


def csv_rows(f: AuditFilter, batch: int = 500) -> Iterator[str]:
    """Stream matching events as CSV text, oldest first. Each batch is read in its own session,
    so none stays open while the text travels (the consumer may even switch threads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    last_seq: int | None = 0  # AuditEvent.seq is Optional only until the row is written
    while True:
        with read_session() as session:
            rows = session.exec(
                _filtered(select(AuditEvent), f)
                .where(col(AuditEvent.seq) > last_seq)
                .order_by(col(AuditEvent.seq))
                .limit(batch)
            ).all()
        for e in rows:
            values = [e.seq, _timestamp(e.created_at), e.actor_email, e.actor_id, e.ip, e.action]
            values += [e.target, e.kb_id, json.dumps(e.details, sort_keys=True)]
            writer.writerow([_cell(v) for v in values])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        last_seq = rows[-1].seq
