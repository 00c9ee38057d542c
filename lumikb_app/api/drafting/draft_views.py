"""Drafts, sections and templates as REST API v1 shows them (api/drafting/draft_models.py)."""

from __future__ import annotations

from typing import Any

from lumikb_app.api.drafting.draft_models import (
    DraftOut,
    DraftSummaryOut,
    SectionOut,
    TemplateOut,
    TemplateSectionOut,
)
from lumikb_app.api.v1_models import CitationOut
from lumikb_app.db.tables import Draft, DraftSection, DraftTemplate
from lumikb_app.services.drafting.drafts import OpenDraft

QUESTIONNAIRE_SHOWN = ("filename", "format", "mapping")  # never the blob's storage key


def summary(draft: Draft, role: str) -> DraftSummaryOut:
    return DraftSummaryOut(
        id=draft.id,
        title=draft.title,
        role=role,
        kb_ids=list(draft.kb_ids),
        source_kind=draft.source_kind,
        revision=draft.revision,
        created_at=draft.created_at,
        updated_at=draft.updated_at,
    )


def full(opened: OpenDraft) -> DraftOut:
    draft = opened.draft
    questionnaire = {k: v for k, v in draft.questionnaire.items() if k in QUESTIONNAIRE_SHOWN}
    return DraftOut(
        **summary(draft, opened.role).model_dump(),
        template_id=draft.template_id,
        brief=draft.brief,
        answer_length=draft.answer_length,
        tone=draft.tone,
        questionnaire=questionnaire,
        generation=dict(draft.generation),
        sections=[section(s) for s in opened.sections],
    )


def section(found: DraftSection) -> SectionOut:
    return SectionOut(
        id=found.id,
        position=found.position,
        ref=found.ref,
        group=found.group,
        title=found.title,
        instruction=found.instruction,
        status=found.status,
        mode=found.mode,
        content=found.content,
        sources=[CitationOut.model_validate(s) for s in found.sources],
        confidence=found.confidence,
        generation_state=found.generation_state,
        progress=found.progress,
        eta_seconds=found.eta_seconds,
        generation_error=found.generation_error,
    )


def template(found: DraftTemplate) -> TemplateOut:
    return TemplateOut(
        id=found.id,
        key=found.key,
        name=found.name,
        description=found.description,
        kind=found.kind,
        built_in=found.built_in,
        kb_id=found.kb_id,
        version=found.version,
        answer_length=found.answer_length,
        tone=found.tone,
        sections=[TemplateSectionOut(**_template_section(s)) for s in found.sections],
    )


def _template_section(value: dict[str, Any]) -> dict[str, str]:
    return {"title": str(value.get("title", "")), "instruction": str(value.get("instruction", ""))}
