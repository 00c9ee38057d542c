"""Archived knowledge bases: the ones a user may restore, and restoring one.

A KB admin finds the archived KBs they administer (a system admin finds all of them), on the home
page; the admin console lists the same. A deleted KB is archived while it is purged: it is never
listed here and cannot be restored."""

from __future__ import annotations

from sqlmodel import Session, col, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import KbGrant, KnowledgeBase, OutboxEvent, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import access, audit
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.documents.outbox import PURGE_KB
from lumikb_app.services.knowledge_bases.kb_overview import KbOverview, overviews_of
from lumikb_app.services.platform.transactions import read_session, transaction


class NotRestorable(InvalidInput):
    pass


def archived_kbs(user: User) -> list[KbOverview]:
    """The archived KBs the user administers (all of them for a system admin), newest first."""
    with read_session() as session:
        ids = _administered_archived_ids(session, user) - purging(session)
        found = overviews_of(session, list(ids))
    return sorted(found, key=lambda kb: kb.archived_at or kb.last_activity, reverse=True)


def restore_kb(user: User, kb_id: str, ip: str | None = None) -> KnowledgeBase:
    """Bring an archived KB back to every listing and search for its members (audited)."""
    with transaction() as session:
        access.require(session, user, kb_id, KbRole.ADMIN)
        kb = session.get_one(KnowledgeBase, kb_id)
        if kb.archived_at is None or kb_id in purging(session):
            raise NotRestorable("That knowledge base is not archived, or it is being deleted.")
        kb.archived_at, kb.updated_at = None, utcnow()
        session.add(kb)
        audit.record(session, "kb.restored", actor=user, ip=ip, kb_id=kb_id, target=kb.name)
        return kb


def _administered_archived_ids(session: Session, user: User) -> set[str]:
    if not user.is_active:
        return set()
    query = select(KnowledgeBase.id).where(col(KnowledgeBase.archived_at).is_not(None))
    if not access.is_admin(user):
        query = query.join(KbGrant, col(KbGrant.kb_id) == KnowledgeBase.id).where(
            KbGrant.user_id == user.id, col(KbGrant.role) >= KbRole.ADMIN
        )
    return set(session.exec(query).all())


def purging(session: Session) -> set[str]:
    """The KBs being deleted (their purge has not run yet). Building block."""
    events = session.exec(
        select(OutboxEvent.payload).where(
            OutboxEvent.kind == PURGE_KB, col(OutboxEvent.processed_at).is_(None)
        )
    ).all()
    return {str(payload.get("kb_id")) for payload in events}
