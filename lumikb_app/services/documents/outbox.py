"""Cross-store changes through the outbox (DESIGN.md "Data").

The SQL change and its outbox row commit together; after the commit the event is handed to a
job. If that hand-off is lost (crash, queue down), the reconcile job finds the unprocessed row
and dispatches it again. Handlers are idempotent, so running one twice is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Document, OutboxEvent
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.services.documents import status
from lumikb_app.services.platform.transactions import transaction

log = logging.getLogger(__name__)

PURGE_DOCUMENT = "purge_document"
PURGE_KB = "purge_kb"
UNINDEX_VERSION = "unindex_version"  # a superseded version leaves search (versions.py)
DISCARD_UNCLAIMED_BLOB = "discard_unclaimed_blob"  # an upload died mid-way (pending_blobs.py)
PROCESS_JOB = "workers.tasks.process_outbox"


def add(session: Session, kind: str, **payload: str) -> str:
    event = OutboxEvent(kind=kind, payload=payload)
    session.add(event)
    session.flush()
    return str(event.id)


def retire_document(session: Session, doc: Document) -> str:
    """Hide a document at once and schedule its removal from every store (a guarded move:
    a running job sees it and stops; purging twice is harmless)."""
    status.move(session, doc.id, DocumentStatus.deleting, progress=0.0, stage_detail="")
    return add(session, PURGE_DOCUMENT, document_id=doc.id, kb_id=doc.kb_id)


def dispatch(event_ids: Iterable[str]) -> None:
    jobs = get_container().jobs
    for event_id in event_ids:
        try:
            jobs.enqueue(PROCESS_JOB, int(event_id), queue="default", job_id=f"outbox-{event_id}")
        except Exception:  # the reconcile job dispatches it again later
            log.exception("could not dispatch outbox event %s", event_id)


def process(event_id: int) -> None:
    from lumikb_app.services.documents import pending_blobs, purge, versions

    handlers = {
        PURGE_DOCUMENT: lambda p: purge.purge_document(p["document_id"]),
        PURGE_KB: lambda p: purge.purge_kb(p["kb_id"]),
        UNINDEX_VERSION: lambda p: versions.unindex(p["document_id"]),
        DISCARD_UNCLAIMED_BLOB: lambda p: pending_blobs.discard_unclaimed(p["blob_key"]),
    }
    with transaction() as session:
        event = session.get(OutboxEvent, event_id)
        if event is None or event.processed_at is not None:
            return
        kind, payload = event.kind, dict(event.payload)
    try:
        handlers[kind](payload)
    except Exception as exc:
        with transaction() as session:
            event = session.get_one(OutboxEvent, event_id)
            event.attempts, event.last_error = (
                event.attempts + 1,
                f"{type(exc).__name__}: {exc}"[:2000],
            )
            session.add(event)
        raise
    with transaction() as session:
        event = session.get_one(OutboxEvent, event_id)
        event.processed_at, event.attempts = utcnow(), event.attempts + 1
        session.add(event)
