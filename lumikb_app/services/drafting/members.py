"""Who a draft is shared with. Only its owner shares, and only with people who may read every
knowledge base it draws from (its sections quote them all). Sharing and unsharing are audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from lumikb_app.db.tables import Draft, DraftMember, DraftSection, KnowledgeBase, User
from lumikb_app.domain.drafting import MAX_MEMBERS, DraftInputError, DraftRole
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import access, audit
from lumikb_app.services.accounts.auth import InvalidInput, normalize_email
from lumikb_app.services.drafting.draft_access import bump, require_draft
from lumikb_app.services.drafting.section_locks import hold_draft, release_lock
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_EMAIL = 254
NO_SUCH_PERSON = "No active user has this email. An administrator must create the account first."


@dataclass(frozen=True)
class DraftMemberView:
    user_id: str
    email: str
    display_name: str
    role: str  # owner | edit | view


def list_members(user: User, draft_id: str) -> list[DraftMemberView]:
    """The owner first, then the members by name."""
    with read_session() as session:
        draft = require_draft(session, user, draft_id).draft
        owner = session.get(User, draft.owner_id)
        people = [DraftMemberView(draft.owner_id, *_who(owner), "owner")]
        query = (
            select(DraftMember, User)
            .join(User, col(User.id) == DraftMember.user_id)
            .where(DraftMember.draft_id == draft_id)
            .order_by(col(User.display_name), col(User.email))
        )
        for member, person in session.exec(query):
            people.append(
                DraftMemberView(person.id, person.email, person.display_name, member.role)
            )
        return people


def share_draft(
    user: User, draft_id: str, email: str, role: str, ip: str | None = None
) -> DraftMemberView:
    """Give the person with this email `role` (view or edit) on the draft, or change their role."""
    role = member_role(role)
    email = member_email(email)
    with transaction() as session:
        draft = require_draft(session, user, draft_id, "owner").draft
        hold_draft(session, draft_id)  # one change of the member list at a time
        person = session.exec(select(User).where(User.email == email)).first()
        if person is None or not person.is_active:
            raise DraftInputError(NO_SUCH_PERSON)
        if person.id == draft.owner_id:
            raise DraftInputError("You own this draft; it is yours already.")
        _require_reads_every_kb(session, person, draft)
        member = _member(session, draft_id, person.id)
        before = member.role if member else None
        if member is None:
            _require_room(session, draft_id)
            member = DraftMember(draft_id=draft_id, user_id=person.id, added_by=user.id)
        member.role = role
        session.add(member)
        bump(session, draft_id)
        audit.record(
            session,
            "draft.share",
            actor=user,
            ip=ip,
            target=draft_id,
            details={"title": draft.title, "member": person.email, "role": [before, role]},
        )
        return DraftMemberView(person.id, person.email, person.display_name, role)


def unshare_draft(user: User, draft_id: str, member_user_id: str, ip: str | None = None) -> None:
    """Remove a member; the sections they were editing are released."""
    with transaction() as session:
        draft = require_draft(session, user, draft_id, "owner").draft
        hold_draft(session, draft_id)
        member = _member(session, draft_id, member_user_id) if _is_id(member_user_id) else None
        if member is None:
            raise DraftInputError("This person is not a member of the draft.")
        person = session.get(User, member.user_id)
        session.delete(member)
        held = session.exec(
            select(DraftSection).where(
                DraftSection.draft_id == draft_id, DraftSection.lock_user_id == member.user_id
            )
        ).all()
        for section in held:
            release_lock(section)
        bump(session, draft_id, *held)
        audit.record(
            session,
            "draft.unshare",
            actor=user,
            ip=ip,
            target=draft_id,
            details={
                "title": draft.title,
                "member": person.email if person else member.user_id,
                "role": member.role,
            },
        )


def _require_reads_every_kb(session: Session, person: User, draft: Draft) -> None:
    unreadable = [
        kb_id for kb_id in draft.kb_ids if not access.can(session, person, kb_id, KbRole.READ)
    ]
    if not unreadable:
        return
    names = [
        kb.name if (kb := session.get(KnowledgeBase, kb_id)) else kb_id for kb_id in unreadable
    ]
    raise DraftInputError(
        f"{person.display_name} cannot read every knowledge base this draft draws from "
        f"({', '.join(names)}), so it cannot be shared with them. A knowledge base admin can "
        "give them access first."
    )


def _require_room(session: Session, draft_id: str) -> None:
    count = len(session.exec(select(DraftMember.id).where(DraftMember.draft_id == draft_id)).all())
    if count >= MAX_MEMBERS:
        raise DraftInputError(f"A draft can be shared with at most {MAX_MEMBERS} people.")


def _member(session: Session, draft_id: str, user_id: str) -> DraftMember | None:
    query = select(DraftMember).where(
        DraftMember.draft_id == draft_id, DraftMember.user_id == user_id
    )
    return session.exec(query).first()


def _who(person: User | None) -> tuple[str, str]:
    return (person.email, person.display_name) if person else ("", "Former user")


def member_role(role: object) -> str:
    if isinstance(role, DraftRole):
        return role.value
    if not isinstance(role, str) or role not in {r.value for r in DraftRole}:
        raise DraftInputError("Choose whether they may view or edit the draft.")
    return role


def member_email(email: object) -> str:
    if not isinstance(email, str) or not email.strip():
        raise DraftInputError("Give the email of the person to share the draft with.")
    if len(email) > MAX_EMAIL:
        raise DraftInputError(f"An email has at most {MAX_EMAIL} characters.")
    try:
        return normalize_email(email)
    except InvalidInput as error:
        raise DraftInputError(str(error)) from None


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 36
