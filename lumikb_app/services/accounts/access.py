"""The one access service (DESIGN.md "Access"). Every service function asks it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from lumikb_app.db.tables import KbGrant, KnowledgeBase, User
from lumikb_app.domain.enums import KbRole, SystemRole


class PermissionDenied(PermissionError):
    pass


def is_admin(user: User) -> bool:
    return user.is_active and user.system_role == SystemRole.admin.value


def require_active(user: User) -> None:
    if not user.is_active:
        raise PermissionDenied("Your account is not active.")


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only administrators can do this.")


def role_on(session: Session, user: User, kb_id: str) -> KbRole | None:
    if not user.is_active:
        return None
    if is_admin(user):
        return KbRole.ADMIN
    grant = session.exec(
        select(KbGrant).where(KbGrant.kb_id == kb_id, KbGrant.user_id == user.id)
    ).first()
    return KbRole(grant.role) if grant else None


def can(session: Session, user: User, kb_id: str, needed: KbRole) -> bool:
    role = role_on(session, user, kb_id)
    return role is not None and role >= needed


def require(session: Session, user: User, kb_id: str, needed: KbRole) -> None:
    # The same message whether the KB is missing or forbidden, so ids cannot be probed.
    if not can(session, user, kb_id, needed) or session.get(KnowledgeBase, kb_id) is None:
        raise PermissionDenied("You do not have access to this knowledge base.")


def readable_kb_ids(session: Session, user: User) -> list[str]:
    if not user.is_active:
        return []
    query = select(KnowledgeBase.id).where(col(KnowledgeBase.archived_at).is_(None))
    if not is_admin(user):
        query = query.join(KbGrant, col(KbGrant.kb_id) == KnowledgeBase.id).where(
            KbGrant.user_id == user.id
        )
    return list(session.exec(query).all())
