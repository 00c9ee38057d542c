"""Request and response bodies of the drafting routes of REST API v1 (see api/drafting/drafts.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lumikb_app.api.v1_models import CitationOut, Id, Text
from lumikb_app.domain.drafting import MAX_KBS, MAX_SECTIONS

ExportFormat = Literal["docx", "pdf", "md", "original"]


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(description="The draft's title.")
    kb_ids: list[Id] = Field(
        max_length=MAX_KBS,
        description="The knowledge bases it draws from; you must be able to read each.",
    )
    template_id: Id = Field(description="A template's id from GET /api/v1/drafting/templates.")
    brief: Text = Field(
        default="",
        description="What the draft is about; each section's heading is searched and written "
        "about it (default: the title).",
    )


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section_ids: list[Id] | None = Field(
        default=None,
        max_length=MAX_SECTIONS,
        description="Write only these sections; default: every empty or generated section "
        "that nobody is editing.",
    )


class GenerationOut(BaseModel):
    job_id: str = Field(description="The generation job; follow it with GET /api/v1/drafts/{id}.")


class SectionOut(BaseModel):
    id: str
    position: int
    ref: str = Field(description="The questionnaire's own id for the question, if any.")
    group: str = Field(description="The questionnaire's section for the question, if any.")
    title: str = Field(description="The question or heading.")
    instruction: str
    status: str = Field(description='"empty", "drafted", "edited" or "reviewed".')
    mode: str = Field(description='"llm", "extractive", "not_covered", "manual" or "".')
    content: str = Field(description="Markdown; each [n] cites sources[n-1].")
    sources: list[CitationOut]
    confidence: float | None
    generation_state: str = Field(description='"idle", "queued", "generating", "done", "failed".')
    progress: float = Field(description="0 to 1 while the section is being written.")
    eta_seconds: float | None
    generation_error: str | None


class DraftSummaryOut(BaseModel):
    id: str
    title: str
    role: str = Field(description='Yours: "owner", "edit" or "view".')
    kb_ids: list[str]
    source_kind: str = Field(description='"template" or "questionnaire".')
    revision: int = Field(description="Grows with every change to the draft or its sections.")
    created_at: datetime
    updated_at: datetime


class DraftOut(DraftSummaryOut):
    template_id: str | None
    brief: str = Field(description="What the draft is about, if its creator said.")
    answer_length: str
    tone: str
    questionnaire: dict[str, Any] = Field(
        description="For an imported questionnaire: its file name, format and column mapping."
    )
    generation: dict[str, Any] = Field(
        description="The latest generation job: job_id, state, total, done, eta_seconds."
    )
    sections: list[SectionOut]


class TemplateSectionOut(BaseModel):
    title: str
    instruction: str = ""


class TemplateOut(BaseModel):
    id: str
    key: str | None = Field(description="Built-in templates' stable key, else null.")
    name: str
    description: str
    kind: str
    built_in: bool
    kb_id: str | None = Field(description="The KB a custom template belongs to, if any.")
    version: int
    answer_length: str
    tone: str
    sections: list[TemplateSectionOut]


def questionnaire_form(max_bytes: int) -> dict[str, Any]:
    """The multipart body of POST /api/v1/drafts/questionnaire, for the API docs (the route
    reads the form itself, counting the bytes as they arrive)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "title", "kb_ids"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": f"An XLSX, CSV or DOCX questionnaire, at most "
                                f"{max_bytes // (1024 * 1024)} MB.",
                            },
                            "title": {"type": "string"},
                            "kb_ids": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "One field per knowledge base to draw from.",
                            },
                            "mapping": {
                                "type": "string",
                                "description": "Optional JSON: which columns hold the question, "
                                "answer, sources, id and section (default: the suggested mapping).",
                            },
                        },
                    }
                }
            },
        }
    }
