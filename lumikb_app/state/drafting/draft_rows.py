"""The drafts list's rows as a person reads them: "Owner", "Alpha Docs, Beta Docs",
"3 of 10 reviewed", "Edited 5 minutes ago"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lumikb_app.services.drafting.draft_summaries import DraftSummary
from lumikb_app.state.knowledge_bases.home_cards import ago
from lumikb_app.state.time_words import utc

ROLE_LABELS = {"owner": "Owner", "edit": "Can edit", "view": "Can view"}
KIND_LABELS = {"template": "From a template", "questionnaire": "Questionnaire"}


@dataclass
class DraftRow:
    id: str
    title: str
    role: str  # owner | edit | view
    role_label: str
    owner_name: str
    kbs: str  # the KBs' names, joined
    kind: str
    updated: str  # "Changed 5 minutes ago"
    when: str  # the moment itself, UTC, for the tooltip
    empty: int = 0
    drafted: int = 0
    not_covered: int = 0  # drafted as "not covered": left for a person
    edited: int = 0
    reviewed: int = 0
    sections: int = 0
    progress: str = ""  # "3 of 10 reviewed"
    percent: int = 0  # share reviewed
    is_owner: bool = False
    can_edit: bool = False


def draft_row(summary: DraftSummary, now: datetime | None = None) -> DraftRow:
    counts, total = summary.counts, summary.sections
    reviewed = counts.get("reviewed", 0)
    moment = utc(summary.updated_at)
    return DraftRow(
        id=summary.id,
        title=summary.title,
        role=summary.role,
        role_label=ROLE_LABELS.get(summary.role, summary.role),
        owner_name=summary.owner_name,
        kbs=", ".join(summary.kb_names) or "—",
        kind=KIND_LABELS.get(summary.source_kind, summary.source_kind),
        updated="Changed " + ago(moment, now or datetime.now(UTC)),
        when=moment.strftime("%Y-%m-%d %H:%M UTC"),
        empty=counts.get("empty", 0),
        drafted=counts.get("drafted", 0),
        not_covered=counts.get("not_covered", 0),
        edited=counts.get("edited", 0),
        reviewed=reviewed,
        sections=total,
        progress=f"{reviewed} of {total} reviewed",
        percent=round(100 * reviewed / total) if total else 0,
        is_owner=summary.role == "owner",
        can_edit=summary.role in ("owner", "edit"),
    )
