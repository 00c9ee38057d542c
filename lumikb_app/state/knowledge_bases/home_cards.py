"""The home page's knowledge base cards: names with their document count and last activity, as a
person reads them ("3 documents", "Last activity 2 hours ago")."""

from dataclasses import dataclass
from datetime import UTC, datetime

from lumikb_app.db.tables import User
from lumikb_app.services.knowledge_bases import kb_archive, kb_overview
from lumikb_app.services.knowledge_bases.kb_overview import KbOverview


@dataclass
class KbCard:
    id: str
    name: str
    description: str
    documents: str  # "3 documents"
    activity: str  # "Last activity 2 hours ago" (or, archived: "Archived 3 days ago")
    when: str  # the moment itself, UTC, for the tooltip


def documents_label(count: int) -> str:
    if count == 0:
        return "No documents yet"
    return f"{count:,} document" + ("" if count == 1 else "s")


def ago(moment: datetime, now: datetime) -> str:
    """How long ago, in words: "just now", "5 minutes ago", "yesterday", "on 3 Mar 2026"."""
    seconds = max(0, int((now - _aware(moment)).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:
        return "just now"
    if hours < 1:
        return _plural(minutes, "minute") + " ago"
    if days < 1:
        return _plural(hours, "hour") + " ago"
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    day = _aware(moment)
    return f"on {day.day} {day:%b %Y}"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _card(kb: KbOverview, now: datetime) -> KbCard:
    moment = kb.archived_at or kb.last_activity
    verb = "Archived" if kb.archived_at else "Last activity"
    return KbCard(
        kb.kb_id, kb.name, kb.description, documents_label(kb.documents),
        f"{verb} {ago(moment, now)}", _aware(moment).strftime("%Y-%m-%d %H:%M UTC"),
    )  # fmt: skip


def home_cards(user: User) -> tuple[list[KbCard], list[KbCard]]:
    """The KBs the user may read, and the archived ones they may restore."""
    now = datetime.now(UTC)
    active = [_card(kb, now) for kb in kb_overview.kb_overviews(user)]
    archived = [_card(kb, now) for kb in kb_archive.archived_kbs(user)]
    return active, archived
