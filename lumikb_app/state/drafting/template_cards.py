"""The templates page's cards and editor rows as a person reads them: scope, answer length and
tone in words, each section with its instruction, each saved version with who and when."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lumikb_app.domain.drafting import AnswerLength, Tone
from lumikb_app.services.drafting.templates import TemplateEntry, TemplateVersionView
from lumikb_app.state.knowledge_bases.home_cards import ago
from lumikb_app.state.time_words import plural, utc

EVERYONE = "everyone"  # the scope select's value for "no KB" (a select item cannot be empty)
LENGTH_LABELS = {
    AnswerLength.short.value: "Short answers",
    AnswerLength.medium.value: "Medium answers",
    AnswerLength.long.value: "Long answers",
}
TONE_LABELS = {
    Tone.neutral.value: "Neutral tone",
    Tone.formal.value: "Formal tone",
    Tone.plain.value: "Plain tone",
    Tone.persuasive.value: "Persuasive tone",
}


@dataclass
class TemplateSectionView:
    title: str
    instruction: str


@dataclass
class TemplateCard:
    id: str
    name: str
    description: str
    scope: str  # "Built in", "Everyone" or the KB's name
    built_in: bool
    archived: bool
    can_manage: bool
    version: int
    answer_length: str
    tone: str
    length_label: str
    tone_label: str
    sections_label: str
    sections: list[TemplateSectionView] = field(default_factory=list)


@dataclass
class SectionDraft:
    """One section in the template editor; `key` keeps its inputs apart when others move."""

    key: str
    title: str = ""
    instruction: str = ""


@dataclass
class ScopeOption:
    value: str  # a KB id, or EVERYONE
    label: str


@dataclass
class TemplateVersionRow:
    version: str  # "Version 3"
    who: str  # "by Ada Admin"
    when: str  # "5 minutes ago"
    name: str
    summary: str  # "4 sections · Short answers · Formal tone"
    sections: str  # the section titles, joined


def new_key() -> str:
    return uuid.uuid4().hex[:12]


def _sections(raw: list[dict[str, Any]]) -> list[TemplateSectionView]:
    return [
        TemplateSectionView(str(s.get("title") or ""), str(s.get("instruction") or "")) for s in raw
    ]


def template_card(entry: TemplateEntry) -> TemplateCard:
    template = entry.template
    scope = "Built in" if template.built_in else entry.kb_name or "Everyone"
    return TemplateCard(
        id=template.id,
        name=template.name,
        description=template.description,
        scope=scope,
        built_in=template.built_in,
        archived=template.archived_at is not None,
        can_manage=entry.can_manage and not template.built_in,
        version=template.version,
        answer_length=template.answer_length,
        tone=template.tone,
        length_label=LENGTH_LABELS.get(template.answer_length, template.answer_length),
        tone_label=TONE_LABELS.get(template.tone, template.tone),
        sections_label=plural(len(template.sections), "section"),
        sections=_sections(template.sections),
    )


def editor_sections(card: TemplateCard) -> list[SectionDraft]:
    return [SectionDraft(new_key(), s.title, s.instruction) for s in card.sections]


def version_row(view: TemplateVersionView, now: datetime | None = None) -> TemplateVersionRow:
    snap = view.snapshot
    sections = [str(s.get("title") or "") for s in snap.get("sections") or []]
    length = LENGTH_LABELS.get(str(snap.get("answer_length")), "")
    tone = TONE_LABELS.get(str(snap.get("tone")), "")
    return TemplateVersionRow(
        version=f"Version {view.version}",
        who=f"by {view.changed_by_name}",
        when=ago(utc(view.created_at), now or datetime.now(UTC)),
        name=str(snap.get("name") or ""),
        summary=" · ".join(p for p in (plural(len(sections), "section"), length, tone) if p),
        sections=", ".join(sections),
    )
