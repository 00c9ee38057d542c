"""A blob written before the row that names it, covered by the outbox.

No network call runs inside a unit of work, so an original is stored before its row is
written. An outbox event announces the key first (its own small transaction); the row's
transaction claims it (marks it processed). If the row is refused, the caller deletes the blob
and withdraws the announcement; if the process dies in between, reconcile dispatches the
still-pending announcement and `discard_unclaimed` deletes the blob no row names. Reconcile's
orphan-blob sweep leaves announced keys alone: they are uploads in flight.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Document, OutboxEvent
from lumikb_app.services.documents import outbox
from lumikb_app.services.platform.transactions import transaction


def announce(key: str) -> int:
    """Record, before writing the blob, that `key` is about to be written."""
    with transaction() as session:
        return int(outbox.add(session, outbox.DISCARD_UNCLAIMED_BLOB, blob_key=key))


def claim(session: Session, event_id: int) -> None:
    """In the transaction that writes the row naming the blob: the blob is kept."""
    event = session.get_one(OutboxEvent, event_id)
    event.processed_at = utcnow()
    session.add(event)


def withdraw(event_id: int) -> None:
    """The caller deleted the blob itself: nothing is left to discard."""
    with transaction() as session:
        claim(session, event_id)


def discard_unclaimed(key: str) -> None:
    """The outbox handler: delete the blob unless a row names it."""
    with transaction() as session:
        claimed = session.exec(select(Document.id).where(Document.blob_key == key)).first()
    if claimed is None:
        get_container().blobs.delete(key)


def in_flight(session: Session) -> set[str]:
    """Keys announced and neither claimed nor discarded yet."""
    events = session.exec(
        select(OutboxEvent).where(
            OutboxEvent.kind == outbox.DISCARD_UNCLAIMED_BLOB,
            col(OutboxEvent.processed_at).is_(None),
        )
    )
    return {str(event.payload["blob_key"]) for event in events}
