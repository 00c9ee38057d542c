"""What a template may hold: each field a person sends is checked here, with a message that says
what to fix, before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lumikb_app.domain.drafting import (
    MAX_INSTRUCTION,
    MAX_TEMPLATE_DESCRIPTION,
    MAX_TEMPLATE_NAME,
    MAX_TEMPLATE_SECTION_TITLE,
    MAX_TEMPLATE_SECTIONS,
    AnswerLength,
    DraftInputError,
    Tone,
)
from lumikb_app.domain.text import text_problem

MAX_ID = 36
SECTION_FIELDS = ("title", "instruction")


@dataclass(frozen=True)
class TemplateFields:
    """A template's content, checked: what a version snapshot records."""

    name: str
    description: str
    sections: list[dict[str, str]]
    answer_length: str
    tone: str

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "sections": [dict(s) for s in self.sections],
            "answer_length": self.answer_length,
            "tone": self.tone,
        }


def template_fields(
    name: object, description: object, sections: object, answer_length: object, tone: object
) -> TemplateFields:
    return TemplateFields(
        name=clean_name(name),
        description=clean_description(description),
        sections=clean_sections(sections),
        answer_length=clean_choice(answer_length, AnswerLength, "Answer length"),
        tone=clean_choice(tone, Tone, "Tone"),
    )


def clean_name(name: object) -> str:
    if not isinstance(name, str):
        raise DraftInputError("A template name must be text.")
    name = " ".join(name.split())
    if not name:
        raise DraftInputError("Give the template a name.")
    if len(name) > MAX_TEMPLATE_NAME:
        raise DraftInputError(f"A template name must be at most {MAX_TEMPLATE_NAME} characters.")
    _storable(name)
    return name


def clean_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise DraftInputError("A template description must be text.")
    description = description.strip()
    if len(description) > MAX_TEMPLATE_DESCRIPTION:
        raise DraftInputError(
            f"A template description must be at most {MAX_TEMPLATE_DESCRIPTION} characters."
        )
    _storable(description)
    return description


def clean_sections(sections: object) -> list[dict[str, str]]:
    if isinstance(sections, str | bytes) or not isinstance(sections, Sequence):
        raise DraftInputError("Sections must be given as a list of titles and instructions.")
    if not sections:
        raise DraftInputError("A template needs at least one section.")
    if len(sections) > MAX_TEMPLATE_SECTIONS:
        raise DraftInputError(f"A template can have at most {MAX_TEMPLATE_SECTIONS} sections.")
    cleaned = [_section(number, section) for number, section in enumerate(sections, 1)]
    seen: set[str] = set()
    for section in cleaned:
        folded = section["title"].casefold()
        if folded in seen:
            raise DraftInputError(f"Two sections are titled “{section['title']}”.")
        seen.add(folded)
    return cleaned


def _section(number: int, section: object) -> dict[str, str]:
    if not isinstance(section, Mapping):
        raise DraftInputError(f"Section {number} must have a title and an instruction.")
    unknown = sorted(str(key) for key in section if key not in SECTION_FIELDS)
    if unknown:
        raise DraftInputError(
            f"Section {number} has an unknown field ({', '.join(unknown)}): "
            "a section has a title and an instruction."
        )
    title, instruction = section.get("title"), section.get("instruction", "")
    if not isinstance(title, str) or not isinstance(instruction, str | None):
        raise DraftInputError(f"Section {number}'s title and instruction must be text.")
    title, instruction = " ".join(title.split()), (instruction or "").strip()
    if not title:
        raise DraftInputError(f"Section {number} needs a title.")
    if len(title) > MAX_TEMPLATE_SECTION_TITLE:
        raise DraftInputError(
            f"Section {number}'s title must be at most {MAX_TEMPLATE_SECTION_TITLE} characters."
        )
    if len(instruction) > MAX_INSTRUCTION:
        raise DraftInputError(
            f"Section {number}'s instruction must be at most {MAX_INSTRUCTION} characters."
        )
    _storable(title)
    _storable(instruction)
    return {"title": title, "instruction": instruction}


def clean_choice(value: object, choices: type[AnswerLength] | type[Tone], label: str) -> str:
    allowed = [choice.value for choice in choices]
    if not isinstance(value, str) or value not in allowed:
        raise DraftInputError(f"{label} must be one of: {', '.join(allowed)}.")
    return str(value)


def clean_kb_id(kb_id: object) -> str | None:
    """A template's scope: None (everyone) or the id of one knowledge base."""
    if kb_id is None:
        return None
    if not isinstance(kb_id, str) or not kb_id or len(kb_id) > MAX_ID:
        raise DraftInputError("A template belongs to everyone or to one knowledge base, by its id.")
    return kb_id


def _storable(text: str) -> None:
    if problem := text_problem(text):
        raise DraftInputError(problem)
