"""Drafting tables: templates (versioned), drafts, their members, sections, section versions
and comments. Registered on SQLModel.metadata by db/tables.py."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from lumikb_app.db.common import new_id, utcnow


class DraftTemplate(SQLModel, table=True):
    """A template: its sections (each {"title", "instruction"}), answer length and tone.

    Built-in templates have a `key` and no owner KB. A custom one belongs to the KB whose admin
    made it (`kb_id`; readers of that KB may use it) or, made by a system admin, to everyone."""

    __tablename__ = "draft_templates"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    key: str | None = Field(default=None, unique=True, max_length=64)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    kind: str = Field(default="document", max_length=16)  # document | questionnaire
    sections: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    answer_length: str = Field(default="medium", max_length=16)
    tone: str = Field(default="neutral", max_length=16)
    built_in: bool = False
    kb_id: str | None = Field(default=None, index=True, max_length=36)
    version: int = 1
    created_by: str | None = Field(default=None, max_length=36)
    archived_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DraftTemplateVersion(SQLModel, table=True):
    """Every saved state of a template, so a change can be seen and a draft names what it used."""

    __tablename__ = "draft_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version", name="uq_template_versions"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    template_id: str = Field(foreign_key="draft_templates.id", index=True, max_length=36)
    version: int
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changed_by: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)


class Draft(SQLModel, table=True):
    """A draft. `revision` grows on every change to it or its sections: open pages compare it to
    what they show. `questionnaire` holds an imported file's blob key, format, name and column
    mapping; `generation` the running job's id, totals and timing."""

    __tablename__ = "drafts"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    title: str = Field(max_length=200)
    # What the draft is about ("our SOC 2 readiness"): part of every section's search and prompt.
    brief: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    template_id: str | None = Field(default=None, max_length=36)
    template_version: int | None = None
    kb_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source_kind: str = Field(default="template", max_length=16)  # template | questionnaire
    answer_length: str = Field(default="medium", max_length=16)
    tone: str = Field(default="neutral", max_length=16)
    questionnaire: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    generation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    revision: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class DraftMember(SQLModel, table=True):
    __tablename__ = "draft_members"
    __table_args__ = (UniqueConstraint("draft_id", "user_id", name="uq_draft_members"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    draft_id: str = Field(foreign_key="drafts.id", index=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=36)
    role: str = Field(default="view", max_length=8)  # view | edit
    added_by: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow)


class DraftSection(SQLModel, table=True):
    """One question or heading and its answer.

    `content` is Markdown whose `[n]` markers number `sources` (citation dicts as chat's). A
    regenerated answer waits in `proposal` ({"content", "sources", "confidence", "mode",
    "instruction"}) until accepted or rejected. `row` locates a questionnaire question in its
    file (sheet and row, or paragraph). `lock_user_id` holds the section while someone edits it,
    until `lock_expires_at`."""

    __tablename__ = "draft_sections"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    draft_id: str = Field(foreign_key="drafts.id", index=True, max_length=36)
    position: int
    ref: str = Field(default="", max_length=64)  # the questionnaire's own id ("Q01"), if any
    group: str = Field(default="", max_length=200)  # the questionnaire's section column, if any
    title: str = Field(sa_column=Column(Text, nullable=False))
    instruction: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(default="empty", max_length=16)
    mode: str = Field(default="", max_length=16)
    confidence: float | None = None
    generation_state: str = Field(default="idle", max_length=16)
    progress: float = 0.0
    eta_seconds: float | None = None
    generation_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    proposal: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    row: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    lock_user_id: str | None = Field(default=None, max_length=36)
    lock_expires_at: datetime | None = None
    revision: int = 1
    updated_by: str | None = Field(default=None, max_length=36)
    updated_at: datetime = Field(default_factory=utcnow)


class DraftSectionVersion(SQLModel, table=True):
    """A saved state of a section: who changed it, how ("generated", "edited", "accepted",
    "restored", "reviewed"), and when. Restoring one writes a new version."""

    __tablename__ = "draft_section_versions"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    draft_id: str = Field(foreign_key="drafts.id", index=True, max_length=36)
    section_id: str = Field(foreign_key="draft_sections.id", index=True, max_length=36)
    number: int
    content: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(max_length=16)
    mode: str = Field(default="", max_length=16)
    confidence: float | None = None
    change: str = Field(max_length=16)
    changed_by: str | None = Field(default=None, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class DraftComment(SQLModel, table=True):
    __tablename__ = "draft_comments"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    draft_id: str = Field(foreign_key="drafts.id", index=True, max_length=36)
    section_id: str = Field(foreign_key="draft_sections.id", index=True, max_length=36)
    user_id: str = Field(foreign_key="users.id", max_length=36)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
