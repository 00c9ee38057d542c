"""Per-KB grants: who may read, write or administer a knowledge base."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from lumikb_app.db.tables import KbGrant, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import require
from lumikb_app.services.accounts.auth import InvalidInput, normalize_email
from lumikb_app.services.platform.transactions import read_session, transaction


@dataclass(frozen=True)
class Member:
    user_id: str
    email: str
    display_name: str
    role: KbRole


def list_members(actor: User, kb_id: str) -> list[Member]:
    with read_session() as session:
        require(session, actor, kb_id, KbRole.ADMIN)
        rows = session.exec(
            select(KbGrant, User)
            .join(User, col(User.id) == KbGrant.user_id)
            .where(KbGrant.kb_id == kb_id)
            .order_by(User.email)
        )
        return [Member(u.id, u.email, u.display_name, KbRole(g.role)) for g, u in rows]


def _admin_count(session: Session, kb_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(KbGrant)
        .where(KbGrant.kb_id == kb_id, KbGrant.role == KbRole.ADMIN)
    ).one()


def set_grant(actor: User, kb_id: str, email: str, role: KbRole, ip: str | None = None) -> Member:
    with transaction() as session:
        require(session, actor, kb_id, KbRole.ADMIN)
        role = KbRole(role)
        user = session.exec(select(User).where(User.email == normalize_email(email))).first()
        if user is None:
            raise InvalidInput(
                "No user with this email. An administrator must create the account first."
            )
        grant = session.exec(
            select(KbGrant).where(KbGrant.kb_id == kb_id, KbGrant.user_id == user.id)
        ).first()
        before = KbRole(grant.role).name if grant else None
        if (
            grant
            and grant.role == KbRole.ADMIN
            and role != KbRole.ADMIN
            and _admin_count(session, kb_id) <= 1
        ):
            raise InvalidInput("A knowledge base must keep at least one administrator.")
        grant = grant or KbGrant(kb_id=kb_id, user_id=user.id, role=role, granted_by=actor.id)
        grant.role, grant.granted_by = role, actor.id
        session.add(grant)
        action = "grant.changed" if before else "grant.added"
        audit.record(
            session,
            action,
            actor=actor,
            ip=ip,
            kb_id=kb_id,
            target=user.email,
            details={"role": [before, role.name]},
        )
        return Member(user.id, user.email, user.display_name, role)


def remove_grant(actor: User, kb_id: str, user_id: str, ip: str | None = None) -> None:
    with transaction() as session:
        require(session, actor, kb_id, KbRole.ADMIN)
        grant = session.exec(
            select(KbGrant).where(KbGrant.kb_id == kb_id, KbGrant.user_id == user_id)
        ).first()
        if grant is None:
            raise InvalidInput("This user has no access to remove.")
        if grant.role == KbRole.ADMIN and _admin_count(session, kb_id) <= 1:
            raise InvalidInput("A knowledge base must keep at least one administrator.")
        user = session.get(User, user_id)
        session.delete(grant)
        audit.record(
            session,
            "grant.removed",
            actor=actor,
            ip=ip,
            kb_id=kb_id,
            target=user.email if user else user_id,
        )
