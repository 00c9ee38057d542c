"""Every write of a document's status, as one guarded UPDATE along the lifecycle table.

`UPDATE documents SET status = :to, ... WHERE id = :id AND status IN (:allowed sources)`: the
database checks the current status at the moment of the write (a concurrent delete that
committed first is seen, on PostgreSQL after waiting for its row lock), so a job can never
move a document out of `deleting`, nor past a state someone else put it in. A refused move
tells the caller to stop. Building blocks: each takes the caller's session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, update

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Document
from lumikb_app.domain.document_lifecycle import WORKING, sources_of
from lumikb_app.domain.enums import DocumentStatus as S


class StatusRefused(RuntimeError):
    """The document is no longer where the job left it (deleted, failed, purged): stop."""


def move(
    session: Session,
    document_id: str,
    to: S,
    *,
    only_from: Iterable[S] | None = None,
    **values: Any,
) -> bool:
    """Move the document to `to` (writing `values` too) if its status allows it; whether it did.
    `only_from` narrows the allowed sources further (a retry applies to a failed document only)."""
    allowed = sources_of(to) if only_from is None else sources_of(to) & set(only_from)
    return _guarded(session, col(Document.id) == document_id, allowed, status=to.value, **values)


def require_move(session: Session, document_id: str, to: S, **values: Any) -> None:
    if not move(session, document_id, to, **values):
        raise StatusRefused(f"document {document_id} may not move to {to.value}")


def while_working(session: Session, document_id: str, **values: Any) -> bool:
    """Write `values` (no status change) only while the pipeline still owns the document."""
    return _guarded(session, col(Document.id) == document_id, WORKING, **values)


def retire_kb(session: Session, kb_id: str) -> None:
    """Every document of a KB to `deleting` (the KB is being purged)."""
    _guarded(session, col(Document.kb_id) == kb_id, sources_of(S.deleting), status=S.deleting.value)


def _guarded(
    session: Session, where: ColumnElement[bool], allowed: Iterable[S], **values: Any
) -> bool:
    statement = (
        update(Document)
        .where(where, col(Document.status).in_([s.value for s in allowed]))
        .values(updated_at=utcnow(), **values)
    )
    return session.exec(statement).rowcount > 0
