"""Drafts: documents written from the knowledge bases, section by section, every claim cited.

A draft has sections; each section is one question (a questionnaire row) or one heading of a
template, answered from the draft's KBs. Its status says how far a person has taken it; its
generation state says what the worker is doing with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DraftInputError(ValueError):
    """The request is not acceptable; the message is meant for a person."""


class SectionStatus(StrEnum):
    empty = "empty"
    drafted = "drafted"
    edited = "edited"
    reviewed = "reviewed"


class GenerationState(StrEnum):
    idle = "idle"
    queued = "queued"
    generating = "generating"
    done = "done"
    failed = "failed"


class DraftRole(StrEnum):
    """A member's role on a draft; the owner can also share, rename and delete it."""

    view = "view"
    edit = "edit"


class SectionMode(StrEnum):
    llm = "llm"  # written by the chat model from numbered sources
    extractive = "extractive"  # the best cited sentences, quoted (no language model)
    not_covered = "not_covered"  # the sources do not answer it: left for a person
    manual = "manual"  # written or changed by a person


class SourceKind(StrEnum):
    template = "template"
    questionnaire = "questionnaire"


class QuestionnaireFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    docx = "docx"


class AnswerLength(StrEnum):
    short = "short"
    medium = "medium"
    long = "long"


class Tone(StrEnum):
    neutral = "neutral"
    formal = "formal"
    plain = "plain"
    persuasive = "persuasive"


# Bounds every entry point enforces (services check them; the UI only mirrors them).
MAX_TITLE = 200
MAX_BRIEF = 1000
MAX_SECTIONS = 300
MAX_SECTION_TITLE = 2000
MAX_INSTRUCTION = 1000
MAX_SECTION_TEXT = 20_000
MAX_COMMENT = 2000
MAX_KBS = 50
MAX_MEMBERS = 100
MAX_TEMPLATE_NAME = 120
MAX_TEMPLATE_DESCRIPTION = 1000
MAX_TEMPLATE_SECTIONS = 60  # a template is an outline; a long question list is an import
MAX_TEMPLATE_SECTION_TITLE = 300
MAX_IMPORT_BYTES = 5 * 1024 * 1024
LOCK_SECONDS = 300  # a section's edit lock lapses after this long without a save or renewal

NOT_COVERED_TEXT = (
    "Not covered: the knowledge bases this draft draws from do not answer this. "
    "Left for a person to answer."
)
EXTRACTIVE_NOTE = (
    "Quoted from the sources (no language model is configured): the best-matching cited "
    "sentences, not a written answer."
)


@dataclass(frozen=True)
class SectionSeed:
    """A section a new draft starts with: a template heading or a questionnaire question.
    `row` locates a question in its file (for the export), `ref` and `group` are the file's
    own id and section columns."""

    title: str
    instruction: str = ""
    ref: str = ""
    group: str = ""
    row: dict[str, Any] = field(default_factory=dict)
