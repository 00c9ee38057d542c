"""The home page's knowledge base cards: names with their document count and last activity, as a
person reads them ("3 documents", "Last activity 2 hours ago")."""

from dataclasses import dataclass
from datetime import UTC, datetime

from lumikb_app.db.tables import User
from lumikb_app.services.knowledge_bases import kb_archive, kb_overview
from lumikb_app.services.knowledge_bases.kb_overview import KbOverview
from lumikb_app.state.time_words import plural, utc, within_a_day


@dataclass
class KbCard:
    id: str
    name: str
    description: str
    documents: str  # "3 documents"
    activity: str  # "Last activity 2 hours ago" (or, archived: "Archived 3 days ago")
    when: str  # the moment itself, UTC, for the tooltip


def documents_label(count: int) -> str:
    return plural(count, "document") if count else "No documents yet"


def ago(moment: datetime, now: datetime) -> str:
    """How long ago, in words: "just now", "5 minutes ago", "yesterday", "on 3 Mar 2026"."""
    seconds = max(0, int((now - utc(moment)).total_seconds()))
    days = seconds // 86400
    if recent := within_a_day(seconds):
        return recent
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    day = utc(moment)
    return f"on {day.day} {day:%b %Y}"


def _card(kb: KbOverview, now: datetime) -> KbCard:
    moment = kb.archived_at or kb.last_activity
    verb = "Archived" if kb.archived_at else "Last activity"
    return KbCard(
        kb.kb_id, kb.name, kb.description, documents_label(kb.documents),
        f"{verb} {ago(moment, now)}", utc(moment).strftime("%Y-%m-%d %H:%M UTC"),
    )  # fmt: skip


def home_cards(user: User) -> tuple[list[KbCard], list[KbCard]]:
    """The KBs the user may read, and the archived ones they may restore."""
    now = datetime.now(UTC)
    active = [_card(kb, now) for kb in kb_overview.kb_overviews(user)]
    archived = [_card(kb, now) for kb in kb_archive.archived_kbs(user)]
    return active, archived
