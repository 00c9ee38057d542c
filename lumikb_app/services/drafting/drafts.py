"""Drafts: create one (from a template's headings or a questionnaire's questions), list the
drafts a user owns or is a member of, open one with its sections, follow its changes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, or_, select

from lumikb_app.container import get_container
from lumikb_app.db.common import new_id
from lumikb_app.db.tables import (
    Draft,
    DraftComment,
    DraftMember,
    DraftSection,
    DraftSectionVersion,
    DraftTemplate,
    User,
)
from lumikb_app.domain.drafting import (
    MAX_BRIEF,
    MAX_SECTION_TITLE,
    MAX_SECTIONS,
    MAX_TITLE,
    DraftInputError,
    SectionSeed,
    SourceKind,
)
from lumikb_app.services.accounts import access, audit
from lumikb_app.services.drafting.draft_access import bump, readable_kbs, require_draft
from lumikb_app.services.drafting.section_locks import hold_draft
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_LISTED = 200
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenDraft:
    """A draft as its reader sees it: the caller's role and the sections, in order."""

    draft: Draft
    role: str
    sections: list[DraftSection]


@dataclass(frozen=True)
class DraftChanges:
    """What changed since a revision: the draft row and the sections stamped after it."""

    revision: int
    draft: Draft
    sections: list[DraftSection]


def clean_title(title: object) -> str:
    if not isinstance(title, str):
        raise DraftInputError("A draft title must be text.")
    title = " ".join(title.split())
    if not title:
        raise DraftInputError("Give the draft a title.")
    if len(title) > MAX_TITLE:
        raise DraftInputError(f"A draft title must be at most {MAX_TITLE} characters.")
    return title


def clean_brief(brief: object) -> str:
    """What the draft is about, in the person's words; may be empty (a questionnaire's questions
    say it themselves)."""
    if not isinstance(brief, str):
        raise DraftInputError("What the draft is about must be text.")
    brief = " ".join(brief.split())
    if len(brief) > MAX_BRIEF:
        raise DraftInputError(f"What the draft is about must be at most {MAX_BRIEF} characters.")
    return brief


def new_draft(
    session: Session,
    user: User,
    *,
    title: str,
    kb_ids: Sequence[str],
    seeds: Sequence[SectionSeed],
    template: DraftTemplate | None = None,
    source_kind: SourceKind = SourceKind.template,
    questionnaire: dict[str, Any] | None = None,
    ip: str | None = None,
    draft_id: str | None = None,
    brief: str = "",
) -> Draft:
    """Insert a draft and its empty sections in the caller's unit of work, audited
    ("draft.create"). Checks the title, the KBs (each readable) and the sections' bounds.
    `draft_id` is given when a file was stored under the draft's id before the insert."""
    access.require_active(user)
    title = clean_title(title)
    brief = clean_brief(brief)
    kbs = readable_kbs(session, user, kb_ids)
    if not seeds:
        raise DraftInputError("A draft needs at least one section or question.")
    if len(seeds) > MAX_SECTIONS:
        raise DraftInputError(f"A draft can have at most {MAX_SECTIONS} sections or questions.")
    draft = Draft(
        id=draft_id or new_id(),
        title=title,
        brief=brief,
        owner_id=user.id,
        kb_ids=kbs,
        source_kind=source_kind.value,
        template_id=template.id if template else None,
        template_version=template.version if template else None,
        answer_length=template.answer_length if template else "medium",
        tone=template.tone if template else "neutral",
        questionnaire=questionnaire or {},
    )
    session.add(draft)
    session.flush()
    for position, seed in enumerate(seeds):
        session.add(_section(draft, position, seed))
    audit.record(
        session,
        "draft.create",
        actor=user,
        ip=ip,
        target=draft.id,
        details={
            "title": title,
            "kb_ids": kbs,
            "source": source_kind.value,
            "template": template.name if template else None,
            "sections": len(seeds),
        },
    )
    return draft


def _section(draft: Draft, position: int, seed: SectionSeed) -> DraftSection:
    title = " ".join(str(seed.title).split())
    if not title:
        raise DraftInputError(f"Section {position + 1} has no question or heading.")
    if len(title) > MAX_SECTION_TITLE:
        raise DraftInputError(
            f"Section {position + 1} is longer than {MAX_SECTION_TITLE} characters."
        )
    return DraftSection(
        draft_id=draft.id,
        position=position,
        title=title,
        instruction=seed.instruction,
        ref=seed.ref[:64],
        group=seed.group[:200],
        row=dict(seed.row),
        revision=draft.revision,
    )


def list_drafts(user: User) -> list[tuple[Draft, str]]:
    """The drafts the user owns or is a member of and may still open, newest change first,
    each with the user's role on it."""
    access.require_active(user)
    member_of = select(DraftMember.draft_id).where(DraftMember.user_id == user.id)
    query = (
        select(Draft)
        .where(or_(col(Draft.owner_id) == user.id, col(Draft.id).in_(member_of)))
        .order_by(col(Draft.updated_at).desc())
        .limit(MAX_LISTED)
    )
    with read_session() as session:
        found = []
        for draft in session.exec(query):
            try:
                found.append((draft, require_draft(session, user, draft.id).role))
            except access.PermissionDenied:
                continue  # lost access to one of its KBs: not listed
        return found


def open_draft(user: User, draft_id: str) -> OpenDraft:
    with read_session() as session:
        opened = require_draft(session, user, draft_id)
        return OpenDraft(opened.draft, opened.role, sections_of(session, draft_id))


def changes_since(user: User, draft_id: str, revision: int) -> DraftChanges:
    """The draft and the sections changed after `revision` (a page's last seen one)."""
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
        raise DraftInputError("A revision is a whole number from 0.")
    with read_session() as session:
        draft = require_draft(session, user, draft_id).draft
        query = (
            select(DraftSection)
            .where(DraftSection.draft_id == draft_id, col(DraftSection.revision) > revision)
            .order_by(col(DraftSection.position))
        )
        return DraftChanges(draft.revision, draft, list(session.exec(query)))


def sections_of(session: Session, draft_id: str) -> list[DraftSection]:
    query = (
        select(DraftSection)
        .where(DraftSection.draft_id == draft_id)
        .order_by(col(DraftSection.position))
    )
    return list(session.exec(query))


def rename_draft(user: User, draft_id: str, title: str) -> Draft:
    title = clean_title(title)
    with transaction() as session:
        draft = require_draft(session, user, draft_id, "edit").draft
        if draft.title != title:
            draft.title = title
            session.add(draft)
            bump(session, draft_id)
            session.refresh(draft)
        return draft


def delete_draft(user: User, draft_id: str, ip: str | None = None) -> None:
    """Delete the draft with its sections, versions, comments and members (owner only,
    audited), then its imported questionnaire file, if any."""
    with transaction() as session:
        draft = require_draft(session, user, draft_id, "owner").draft
        hold_draft(session, draft_id)  # a save in flight commits first, then goes too
        blob_key = draft.questionnaire.get("blob_key")
        for table in (DraftComment, DraftSectionVersion, DraftSection, DraftMember):
            session.execute(delete(table).where(col(table.draft_id) == draft_id))
        session.delete(draft)
        audit.record(
            session,
            "draft.delete",
            actor=user,
            ip=ip,
            target=draft_id,
            details={"title": draft.title, "source": draft.source_kind},
        )
    if isinstance(blob_key, str) and blob_key:
        _delete_blob(blob_key)


def _delete_blob(key: str) -> None:
    try:
        get_container().blobs.delete(key)
    except Exception:  # the draft is gone either way; the file is only an orphan now
        log.warning(
            "could not delete the questionnaire file %s of a deleted draft", key, exc_info=True
        )
