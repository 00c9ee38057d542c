"""Who may do what with a draft, and the revision counter open pages follow.

A draft is seen by its owner and its members only, and only while they may read every KB it
draws from: a member who loses access to one of them is refused the whole draft (its sections
quote those KBs). A missing draft and a forbidden one get the same message, so ids cannot be
probed. Roles: "owner" > "edit" > "view".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Draft, DraftMember, DraftSection, KnowledgeBase, User
from lumikb_app.domain.drafting import MAX_KBS, DraftInputError
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import access
from lumikb_app.services.accounts.access import PermissionDenied

NOT_FOUND = "Draft not found."
LOST_ACCESS = (
    "This draft draws from a knowledge base you can no longer read, so it is closed to you. "
    "Ask its owner or a knowledge base admin for access."
)
_RANK = {"view": 1, "edit": 2, "owner": 3}


@dataclass(frozen=True)
class DraftAccess:
    draft: Draft
    role: str  # owner | edit | view

    @property
    def can_edit(self) -> bool:
        return _RANK[self.role] >= _RANK["edit"]

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


def role_on_draft(session: Session, user: User, draft: Draft) -> str | None:
    if not user.is_active:
        return None
    if draft.owner_id == user.id:
        return "owner"
    member = session.exec(
        select(DraftMember).where(DraftMember.draft_id == draft.id, DraftMember.user_id == user.id)
    ).first()
    return member.role if member else None


def reads_every_kb(session: Session, user: User, kb_ids: Sequence[str]) -> bool:
    return all(access.can(session, user, kb_id, KbRole.READ) for kb_id in kb_ids)


def require_draft(session: Session, user: User, draft_id: str, need: str = "view") -> DraftAccess:
    """The draft and the caller's role on it, if that role is at least `need` (view, edit,
    owner) and the caller may read every KB the draft draws from; else PermissionDenied."""
    access.require_active(user)
    draft = session.get(Draft, draft_id) if isinstance(draft_id, str) and draft_id else None
    role = role_on_draft(session, user, draft) if draft is not None else None
    if draft is None or role is None:
        raise PermissionDenied(NOT_FOUND)
    if not reads_every_kb(session, user, draft.kb_ids):
        raise PermissionDenied(LOST_ACCESS)
    if _RANK[role] < _RANK[need]:
        raise PermissionDenied(_refusal(need))
    return DraftAccess(draft, role)


def require_section(
    session: Session, user: User, section_id: str, need: str = "view"
) -> tuple[DraftAccess, DraftSection]:
    section = session.get(DraftSection, section_id) if isinstance(section_id, str) else None
    if section is None:
        access.require_active(user)
        raise PermissionDenied("Section not found.")
    return require_draft(session, user, section.draft_id, need), section


def readable_kbs(session: Session, user: User, kb_ids: Sequence[str]) -> list[str]:
    """The KBs a new draft draws from: at least one, each readable and not archived."""
    if isinstance(kb_ids, str) or not isinstance(kb_ids, Sequence):
        raise DraftInputError("Knowledge bases must be given as a list.")
    unique = list(dict.fromkeys(kb_ids))
    if not unique:
        raise DraftInputError("Choose at least one knowledge base to draft from.")
    if len(unique) > MAX_KBS:
        raise DraftInputError(f"A draft can draw from at most {MAX_KBS} knowledge bases.")
    for kb_id in unique:
        if not isinstance(kb_id, str):
            raise DraftInputError("Knowledge bases must be given by their ids.")
        access.require(session, user, kb_id, KbRole.READ)
        kb = session.get(KnowledgeBase, kb_id)
        if kb is not None and kb.archived_at is not None:
            raise DraftInputError(f"The knowledge base {kb.name} is archived.")
    return unique


def bump(session: Session, draft_id: str, *sections: DraftSection) -> int:
    """Count one change of the draft and stamp the changed sections with the new revision, so
    a page that has seen revision R reads only sections whose revision is above R. The UPDATE
    takes the draft's row lock until commit, so revisions commit in order."""
    now = utcnow()
    session.execute(
        update(Draft)
        .where(col(Draft.id) == draft_id)
        .values(revision=col(Draft.revision) + 1, updated_at=now)
    )
    revision = session.exec(select(Draft.revision).where(Draft.id == draft_id)).one()
    for section in sections:
        section.revision = revision
        section.updated_at = now
        session.add(section)
    return revision


def _refusal(need: str) -> str:
    if need == "owner":
        return "Only the draft's owner can do this."
    return "You can view this draft but not change it. Ask its owner for edit access."
