"""Who may write a section now: the draft's write lock and the per-section edit lock.

Writers of a draft's sections serialise on the draft's row: `hold_draft` takes it (a row lock on
PostgreSQL, the database's write lock on SQLite) before the section is read, so the revision and
the edit lock a write checks are the ones it replaces. The order is the draft's row, then the
sections' rows, as in `draft_access.bump`: a writer that touches a section before that order
risks a deadlock with these.

A section's edit lock belongs to one person until it lapses (`lock_expires_at`); a lock whose
holder may no longer edit the draft (removed, deactivated, lost a KB) holds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Draft, DraftSection, User
from lumikb_app.domain.drafting import LOCK_SECONDS, DraftInputError, GenerationState
from lumikb_app.services.accounts import access
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting.draft_access import reads_every_kb, require_section, role_on_draft

SECTION_NOT_FOUND = "Section not found."
BEING_GENERATED = (
    "This section is being written by the generator; wait until it is done or stop the "
    "generation, then edit it."
)
_BUSY = {GenerationState.queued.value, GenerationState.generating.value}


def hold_draft(session: Session, draft_id: str) -> None:
    """Take the draft's write lock until the unit of work ends (a no-op UPDATE of its row)."""
    session.execute(
        update(Draft)
        .where(col(Draft.id) == draft_id)
        .values(revision=col(Draft.revision))
        .execution_options(synchronize_session=False)
    )


def writable_section(
    session: Session, user: User, section_id: str, need: str = "edit"
) -> DraftSection:
    """The section, read under the draft's write lock, if the caller has `need` on the draft,
    nobody else holds its edit lock and the generator is not writing it."""
    section = held_section(session, user, section_id, need)
    refuse_if_busy(session, section, user)
    return section


def held_section(session: Session, user: User, section_id: str, need: str) -> DraftSection:
    """The section, read fresh under the draft's write lock, with the caller's access checked."""
    draft_id = None
    if isinstance(section_id, str) and 0 < len(section_id) <= 36:
        query = select(DraftSection.draft_id).where(DraftSection.id == section_id)
        draft_id = session.exec(query).first()
    if draft_id is None:
        access.require_active(user)
        raise PermissionDenied(SECTION_NOT_FOUND)
    hold_draft(session, draft_id)
    return require_section(session, user, section_id, need)[1]


def refuse_if_busy(session: Session, section: DraftSection, user: User) -> None:
    holder = lock_holder(session, section, excluding=user.id)
    if holder is not None:
        raise DraftInputError(f"{holder.display_name} is editing this section.")
    if section.generation_state in _BUSY:
        raise DraftInputError(BEING_GENERATED)


def lock_holder(session: Session, section: DraftSection, excluding: str = "") -> User | None:
    """Who holds a live edit lock on the section (unless it is `excluding`), or None."""
    if not section.lock_user_id or section.lock_user_id == excluding:
        return None
    if section.lock_expires_at is None or section.lock_expires_at <= utcnow():
        return None
    holder = session.get(User, section.lock_user_id)
    draft = session.get(Draft, section.draft_id)
    if holder is None or draft is None:
        return None
    if role_on_draft(session, holder, draft) not in ("owner", "edit"):
        return None
    return holder if reads_every_kb(session, holder, draft.kb_ids) else None


def take_lock(section: DraftSection, user: User) -> None:
    section.lock_user_id = user.id
    section.lock_expires_at = utcnow() + timedelta(seconds=LOCK_SECONDS)


def release_lock(section: DraftSection) -> None:
    section.lock_user_id = None
    section.lock_expires_at = None
