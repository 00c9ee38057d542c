"""Editing a section: take its edit lock, save a person's text, release; mark reviewed.

Two people never silently overwrite each other: a section being edited is locked to its editor
(LOCK_SECONDS, renewed by calling `start_editing` again), and a save names the revision the
editor started from (`base_revision`, the revision of the section `start_editing` returned): if
the section changed since, the save is refused and nothing is written, so the other person's
text stays and the editor keeps theirs to reconcile.

On save the `[n]` markers are checked against the section's sources exactly as chat checks an
answer (services/chat/citations.py): unknown numbers are dropped, sources no longer cited are
removed, and the rest are renumbered in order of first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import DraftSection, User
from lumikb_app.domain.drafting import (
    MAX_SECTION_TEXT,
    DraftInputError,
    GenerationState,
    SectionMode,
    SectionStatus,
)
from lumikb_app.services.chat.citations import ordered_sources, verify_text
from lumikb_app.services.drafting.draft_access import bump, require_draft
from lumikb_app.services.drafting.drafts import sections_of
from lumikb_app.services.drafting.section_locks import (
    held_section,
    hold_draft,
    lock_holder,
    release_lock,
    take_lock,
    writable_section,
)
from lumikb_app.services.drafting.versions import record_version
from lumikb_app.services.platform.transactions import read_session, transaction

NOTHING_TO_REVIEW = "There is nothing to review yet: this section has no answer."
_BUSY = {GenerationState.queued.value, GenerationState.generating.value}


def start_editing(user: User, section_id: str) -> DraftSection:
    """Lock the section to the caller for LOCK_SECONDS and return it as it is now: the editor
    starts from this text, and saves with this `revision` as its base. Called again by the
    holder, it renews the lock without changing the section's revision."""
    with transaction() as session:
        section = writable_section(session, user, section_id)
        renewing = section.lock_user_id == user.id and _live(section)
        take_lock(section, user)
        if renewing:
            bump(session, section.draft_id)  # nothing others see changed in the section
        else:
            bump(session, section.draft_id, section)
        return section


def stop_editing(user: User, section_id: str) -> None:
    """Release the caller's edit lock on the section (Cancel); nothing else changes."""
    with transaction() as session:
        section = held_section(session, user, section_id, "view")
        if section.lock_user_id != user.id:
            return
        release_lock(section)
        bump(session, section.draft_id, section)


def save_section(user: User, section_id: str, content: str, base_revision: int) -> DraftSection:
    """Save a person's text of the section (status edited) and release their lock. Refused,
    with nothing written, while someone else holds the lock or when the section changed after
    `base_revision`."""
    text = clean_content(content)
    if isinstance(base_revision, bool) or not isinstance(base_revision, int) or base_revision < 0:
        raise DraftInputError("The revision the text was edited from is missing.")
    with transaction() as session:
        section = writable_section(session, user, section_id)
        if section.revision != base_revision:
            raise DraftInputError(_stale(session, section, user))
        text, sources = cited(text, section.sources)
        changed = text != section.content  # unchanged text keeps its sources as they were
        release_lock(section)
        if changed:
            section.content, section.sources = text, sources
            section.status = (SectionStatus.edited if text else SectionStatus.empty).value
            section.mode = SectionMode.manual.value if text else ""
            section.confidence = None  # a person's text has no model confidence
            section.updated_by = user.id
        bump(session, section.draft_id, section)
        if changed:
            record_version(session, section, "edited", user.id)
        return section


def set_reviewed(user: User, section_id: str, reviewed: bool) -> DraftSection:
    """Mark the section reviewed, or take the mark back (it returns to drafted or edited)."""
    if not isinstance(reviewed, bool):
        raise DraftInputError("Say whether the section is reviewed (true or false).")
    with transaction() as session:
        section = writable_section(session, user, section_id)
        if reviewed and not section.content.strip():
            raise DraftInputError(NOTHING_TO_REVIEW)
        if reviewed == (section.status == SectionStatus.reviewed.value):
            return section
        section.status = SectionStatus.reviewed.value if reviewed else _unreviewed(section)
        section.updated_by = user.id
        bump(session, section.draft_id, section)
        record_version(session, section, "reviewed" if reviewed else "unreviewed", user.id)
        return section


def mark_all_reviewed(user: User, draft_id: str) -> int:
    """Mark reviewed every section that has an answer; returns how many changed. Sections with
    no text, still "not covered", being generated or being edited by someone else stay."""
    with transaction() as session:
        require_draft(session, user, draft_id, "edit")
        hold_draft(session, draft_id)
        marked = []
        for section in sections_of(session, draft_id):
            if _reviewable(session, section, user):
                section.status = SectionStatus.reviewed.value
                section.updated_by = user.id
                marked.append(section)
        if marked:
            bump(session, draft_id, *marked)
            for section in marked:
                record_version(session, section, "reviewed", user.id)
        return len(marked)


def editing_now(user: User, draft_id: str) -> dict[str, str]:
    """The sections someone else is editing now: section id -> that person's name."""
    with read_session() as session:
        require_draft(session, user, draft_id)
        names = {}
        for section in sections_of(session, draft_id):
            holder = lock_holder(session, section, excluding=user.id)
            if holder is not None:
                names[section.id] = holder.display_name
        return names


def clean_content(content: object) -> str:
    if not isinstance(content, str):
        raise DraftInputError("A section's text must be text.")
    text = content.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > MAX_SECTION_TEXT:
        raise DraftInputError(
            f"A section's text must be at most {MAX_SECTION_TEXT:,} characters "
            f"(this one has {len(text):,})."
        )
    return text


def cited(text: str, sources: Sequence[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """The text with only markers naming one of `sources`, renumbered by first use, and the
    sources it still cites, numbered the same way."""
    numbered = [s for s in sources if isinstance(s.get("n"), int) and not isinstance(s["n"], bool)]
    clean, order = verify_text(text, {source["n"] for source in numbered})
    _, kept = ordered_sources(numbered, order)
    return clean.strip(), kept


def _reviewable(session: Session, section: DraftSection, user: User) -> bool:
    return (
        bool(section.content.strip())
        and section.status != SectionStatus.reviewed.value
        and section.mode != SectionMode.not_covered.value
        and section.generation_state not in _BUSY
        and lock_holder(session, section, excluding=user.id) is None
    )


def _unreviewed(section: DraftSection) -> str:
    if section.mode == SectionMode.manual.value:
        return SectionStatus.edited.value
    return SectionStatus.drafted.value


def _live(section: DraftSection) -> bool:
    return section.lock_expires_at is not None and section.lock_expires_at > utcnow()


def _stale(session: Session, section: DraftSection, user: User) -> str:
    tail = "reload to see their text, your text is still in the editor."
    if section.updated_by == user.id:
        return f"You changed this section in another window while editing here; {tail}"
    who = session.get(User, section.updated_by) if section.updated_by else None
    name = who.display_name if who is not None else "The generator"
    return f"{name} changed this section while you were editing; {tail}"
