"""One document's detail panel: its versions (when, by whom, size, pages, passages) and a status
history built from what is already recorded: each version's row (uploaded, processing started,
where it stands now, how many attempts) and the audit log (uploads, retries, deletions).

Read access to the document's KB is required; a document the caller may not read looks exactly
like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from lumikb_app.db.tables import AuditEvent, Document, User
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import versions
from lumikb_app.services.documents.documents import NOT_FOUND
from lumikb_app.services.platform.transactions import read_session

AUDITED = ("document.retried", "document.deleted")  # uploads are dated by the rows themselves
MAX_AUDIT_ROWS = 200  # the newest events naming the document; older ones are in the audit log
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class VersionLine:
    document_id: str
    version: int
    status: str
    uploaded_at: datetime
    uploaded_by: str
    size_bytes: int
    page_count: int | None
    chunk_count: int
    attempts: int
    current: bool  # the version search finds (the newest ready one)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    version: int
    what: str  # a sentence for people: "Version 2 uploaded by Grace"
    kind: str  # uploaded | started | ready | failed | retried | working | replaced | deleted


@dataclass(frozen=True)
class DocumentDetails:
    stable_id: str
    name: str
    kb_id: str
    shown: VersionLine  # the version the panel was opened on
    versions: tuple[VersionLine, ...]  # newest first
    history: tuple[HistoryEntry, ...]  # newest first
    steps_done: tuple[str, ...]  # of the shown version: parse, chunk, embed, index...
    error: str  # of the shown version, when it failed


def document_details(user: User, document_id: str) -> DocumentDetails:
    """The detail panel of the document (any of its versions' ids or its stable id)."""
    with read_session() as session:
        family = versions.readable_family(session, user, document_id)
        if family is None:
            raise PermissionDenied(NOT_FOUND)
        events = _audit_events(session, family)
        names = _names(session, family.versions, events)
    current = family.current
    lines = tuple(_line(doc, names, current) for doc in family.versions)
    asked = next((doc for doc in family.versions if doc.id == document_id), None)
    shown_doc = asked or current or family.versions[0]
    history = _row_history(family.versions, names) + _audit_history(events, family.versions, names)
    return DocumentDetails(
        stable_id=family.stable_id,
        name=family.name,
        kb_id=shown_doc.kb_id,
        shown=next(line for line in lines if line.document_id == shown_doc.id),
        versions=lines,
        history=tuple(sorted(history, key=lambda entry: entry.at, reverse=True)),
        steps_done=tuple(shown_doc.steps_done or ()),
        error=(shown_doc.error or "")[:MAX_REASON_CHARS],
    )


def _names(
    session: Session, docs: tuple[Document, ...], events: list[AuditEvent]
) -> dict[str, str]:
    """Display names of the uploaders and of the people in the audit rows, by user id."""
    ids = {doc.uploaded_by for doc in docs if doc.uploaded_by}
    ids |= {event.actor_id for event in events if event.actor_id}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids)))
    return {user_id: name for user_id, name in rows}


def _audit_events(session: Session, family: versions.Family) -> list[AuditEvent]:
    """Audit rows about this document: its KB, its name, and one of its versions' ids."""
    ids = {doc.id for doc in family.versions}
    rows = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.kb_id == family.versions[0].kb_id,
            AuditEvent.target == family.name,
            col(AuditEvent.action).in_(AUDITED),
        )
        .order_by(col(AuditEvent.seq).desc())
        .limit(MAX_AUDIT_ROWS)
    ).all()
    return [row for row in rows if (row.details or {}).get("document_id") in ids]


def _uploader(doc: Document, names: dict[str, str]) -> str:
    if not doc.uploaded_by:
        return "—"
    return names.get(doc.uploaded_by, "Unknown")


def _line(doc: Document, names: dict[str, str], current: Document | None) -> VersionLine:
    return VersionLine(
        document_id=doc.id,
        version=doc.version,
        status=doc.status,
        uploaded_at=doc.created_at,
        uploaded_by=_uploader(doc, names),
        size_bytes=doc.size_bytes,
        page_count=doc.page_count,
        chunk_count=doc.chunk_count,
        attempts=doc.attempts,
        current=current is not None and doc.id == current.id,
    )


def _row_history(docs: tuple[Document, ...], names: dict[str, str]) -> list[HistoryEntry]:
    entries = []
    for doc in docs:
        v = doc.version
        who = _uploader(doc, names)
        by = f" by {who}" if who not in ("—", "Unknown") else ""
        entries.append(HistoryEntry(doc.created_at, v, f"Version {v} uploaded{by}", "uploaded"))
        if doc.processing_started_at is not None:
            attempt = f" (attempt {doc.attempts})" if doc.attempts > 1 else ""
            entries.append(
                HistoryEntry(
                    doc.processing_started_at, v, f"Processing started{attempt}", "started"
                )
            )
        now = _where_it_stands(doc)
        if now is not None:
            entries.append(HistoryEntry(doc.updated_at, v, *now))
    return entries


def _where_it_stands(doc: Document) -> tuple[str, str] | None:
    """The latest state of a version, dated by its last update; None while it waits."""
    if doc.status == S.ready.value:
        passages = "1 passage" if doc.chunk_count == 1 else f"{doc.chunk_count} passages"
        return f"Ready: {passages} searchable", "ready"
    if doc.status == S.failed.value:
        reason = (doc.error or "no reason recorded").strip()[:MAX_REASON_CHARS]
        return f"Failed: {reason}", "failed"
    if doc.status == S.superseded.value:
        return "Replaced by a newer version", "replaced"
    if doc.status == S.deleting.value:
        return "Being deleted", "deleted"
    if doc.status == S.queued.value:
        return None
    detail = f": {doc.stage_detail}" if doc.stage_detail else ""
    return f"{doc.status.capitalize()}{detail}", "working"


def _audit_history(
    events: list[AuditEvent], docs: tuple[Document, ...], names: dict[str, str]
) -> list[HistoryEntry]:
    version_of = {doc.id: doc.version for doc in docs}
    entries = []
    for event in events:
        details = event.details or {}
        v = version_of.get(details.get("document_id", ""), 0)
        who = names.get(event.actor_id or "") or event.actor_email or "someone"
        if event.action == "document.retried":
            had = str(details.get("error") or "").strip()[:MAX_REASON_CHARS]
            after = f" after it failed: {had}" if had else ""
            entries.append(HistoryEntry(event.created_at, v, f"Retried by {who}{after}", "retried"))
        elif event.action == "document.deleted":
            entries.append(HistoryEntry(event.created_at, v, f"Deleted by {who}", "deleted"))
    return entries
