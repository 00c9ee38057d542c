"""The drafts list: each draft a user may open, with its owner, its KBs' names and how many of
its sections are empty, drafted, not covered, edited and reviewed (one grouped count for the
whole list)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from lumikb_app.db.tables import DraftSection, KnowledgeBase, User
from lumikb_app.domain.drafting import SectionMode, SectionStatus
from lumikb_app.services.drafting import drafts
from lumikb_app.services.drafting.draft_access import require_draft
from lumikb_app.services.platform.transactions import read_session

NOT_COVERED = "not_covered"
# What the list counts: each status, with "drafted" sections the sources do not answer apart.
COUNTED = [status.value for status in SectionStatus] + [NOT_COVERED]


@dataclass(frozen=True)
class DraftSummary:
    id: str
    title: str
    role: str  # owner | edit | view
    owner_name: str
    kb_names: list[str]
    source_kind: str  # template | questionnaire
    updated_at: datetime
    counts: dict[str, int] = field(default_factory=dict)  # COUNTED -> how many

    @property
    def sections(self) -> int:
        return sum(self.counts.values())


def draft_summaries(user: User) -> list[DraftSummary]:
    """The drafts the user owns or is a member of and may still open, newest change first."""
    listed = drafts.list_drafts(user)
    if not listed:
        return []
    ids = [draft.id for draft, _ in listed]
    with read_session() as session:
        counts = _status_counts(session, ids)
        owners = _names(session, User, {draft.owner_id for draft, _ in listed}, "display_name")
        kb_ids = {kb_id for draft, _ in listed for kb_id in draft.kb_ids}
        kbs = _names(session, KnowledgeBase, kb_ids, "name")
    return [
        DraftSummary(
            id=draft.id,
            title=draft.title,
            role=role,
            owner_name=owners.get(draft.owner_id, "Unknown"),
            kb_names=[kbs[kb_id] for kb_id in draft.kb_ids if kb_id in kbs],
            source_kind=draft.source_kind,
            updated_at=draft.updated_at,
            counts={name: counts[draft.id][name] for name in COUNTED},
        )
        for draft, role in listed
    ]


def _status_counts(session: Session, draft_ids: list[str]) -> dict[str, Counter[str]]:
    query = (
        select(DraftSection.draft_id, DraftSection.status, DraftSection.mode, func.count())
        .where(col(DraftSection.draft_id).in_(draft_ids))
        .group_by(col(DraftSection.draft_id), col(DraftSection.status), col(DraftSection.mode))
    )
    counts: dict[str, Counter[str]] = {draft_id: Counter() for draft_id in draft_ids}
    for draft_id, status, mode, count in session.exec(query):
        not_covered = status == SectionStatus.drafted and mode == SectionMode.not_covered
        counts[draft_id][NOT_COVERED if not_covered else status] += count
    return counts


def _names(
    session: Session, table: type[User] | type[KnowledgeBase], ids: set[str], column: str
) -> dict[str, str]:
    if not ids:
        return {}
    query = select(table.id, getattr(table, column)).where(col(table.id).in_(list(ids)))
    return {row_id: name for row_id, name in session.exec(query)}


@dataclass(frozen=True)
class DraftOutline:
    """A draft's title, the caller's role and its sections' ids and titles, without their text:
    what the draft page's side panels need to name sections and offer actions."""

    id: str
    title: str
    role: str
    sections: list[tuple[str, str]]  # (section id, title), in order


def draft_outline(user: User, draft_id: str) -> DraftOutline:
    with read_session() as session:
        opened = require_draft(session, user, draft_id)
        query = (
            select(DraftSection.id, DraftSection.title)
            .where(DraftSection.draft_id == opened.draft.id)
            .order_by(col(DraftSection.position))
        )
        sections = [(section_id, title) for section_id, title in session.exec(query)]
        return DraftOutline(opened.draft.id, opened.draft.title, opened.role, sections)
