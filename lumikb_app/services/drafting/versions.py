"""A section's saved states: who changed it, how and when; restore an earlier one.

Every change of a section's text or status writes a version (`record_version`, also used by
generation). Restoring writes a new version ("restored"), so history only grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from lumikb_app.db.tables import DraftSection, DraftSectionVersion, User
from lumikb_app.domain.drafting import DraftInputError, SectionMode, SectionStatus
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting.draft_access import bump, require_draft, require_section
from lumikb_app.services.drafting.section_locks import writable_section
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_HISTORY = 500
VERSION_NOT_FOUND = "Version not found."


@dataclass(frozen=True)
class VersionView:
    id: str
    number: int
    change: str  # generated | edited | accepted | restored | reviewed | unreviewed
    changed_by_name: str
    created_at: datetime
    status: str
    content: str
    sources: list[dict[str, Any]]
    section_id: str = ""
    section_title: str = ""


def record_version(
    session: Session, section: DraftSection, change: str, user_id: str | None
) -> DraftSectionVersion:
    """Write the section's current state as its next version, in the caller's unit of work."""
    last = session.exec(
        select(func.max(DraftSectionVersion.number)).where(
            DraftSectionVersion.section_id == section.id
        )
    ).one()
    version = DraftSectionVersion(
        draft_id=section.draft_id,
        section_id=section.id,
        number=(last or 0) + 1,
        content=section.content,
        sources=[dict(source) for source in section.sources],
        status=section.status,
        mode=section.mode,
        confidence=section.confidence,
        change=change,
        changed_by=user_id,
    )
    session.add(version)
    return version


def section_history(user: User, section_id: str) -> list[VersionView]:
    """The section's versions, newest first."""
    with read_session() as session:
        _, section = require_section(session, user, section_id)
        query = (
            select(DraftSectionVersion)
            .where(DraftSectionVersion.section_id == section.id)
            .order_by(col(DraftSectionVersion.number).desc())
            .limit(MAX_HISTORY)
        )
        return _views(session, list(session.exec(query)), {section.id: section.title})


def draft_history(user: User, draft_id: str, limit: int = 100) -> list[VersionView]:
    """The latest changes of every section of the draft, newest first, each with its section."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_HISTORY:
        raise DraftInputError(f"Show between 1 and {MAX_HISTORY} changes.")
    with read_session() as session:
        require_draft(session, user, draft_id)
        query = (
            select(DraftSectionVersion)
            .where(DraftSectionVersion.draft_id == draft_id)
            .order_by(
                col(DraftSectionVersion.created_at).desc(), col(DraftSectionVersion.number).desc()
            )
            .limit(limit)
        )
        versions = list(session.exec(query))
        titles_query = select(DraftSection.id, DraftSection.title).where(
            DraftSection.draft_id == draft_id
        )
        titles = {section_id: title for section_id, title in session.exec(titles_query)}
        return _views(session, versions, titles)


def restore_version(user: User, version_id: str) -> DraftSection:
    """Put an earlier version's text and sources back as the section's current answer
    (status edited), written as a new version "restored"."""
    with transaction() as session:
        version = session.get(DraftSectionVersion, version_id) if _is_id(version_id) else None
        if version is None:
            raise PermissionDenied(VERSION_NOT_FOUND)
        section = writable_section(session, user, version.section_id)
        section.content = version.content
        section.sources = [dict(source) for source in version.sources]
        has_text = bool(section.content.strip())
        section.mode = (version.mode or SectionMode.manual.value) if has_text else ""
        section.confidence = version.confidence
        section.status = SectionStatus.edited.value if has_text else SectionStatus.empty.value
        section.updated_by = user.id
        bump(session, section.draft_id, section)
        record_version(session, section, "restored", user.id)
        return section


def _views(
    session: Session, versions: list[DraftSectionVersion], titles: dict[str, str]
) -> list[VersionView]:
    names = _names(session, {v.changed_by for v in versions if v.changed_by})
    return [
        VersionView(
            id=v.id,
            number=v.number,
            change=v.change,
            changed_by_name=names.get(v.changed_by or "", "The generator"),
            created_at=v.created_at,
            status=v.status,
            content=v.content,
            sources=[dict(source) for source in v.sources],
            section_id=v.section_id,
            section_title=titles.get(v.section_id, ""),
        )
        for v in versions
    ]


def _names(session: Session, user_ids: set[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    query = select(User.id, User.display_name).where(col(User.id).in_(user_ids))
    return {user_id: name for user_id, name in session.exec(query)}


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 36
