"""Sections a person would export: answers with citations, a list, a table, code, a question
the sources do not cover and one nobody has answered yet (built as DraftSection rows, unsaved)."""

from __future__ import annotations

from typing import Any

from lumikb_app.db.tables import DraftSection
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, NOT_COVERED_TEXT
from lumikb_app.services.drafting.export_blocks import ExportDocument, build_document

BASE_URL = "https://kb.example.com"
TITLE = "Python style questionnaire"
SUBTITLE = "Drafted from Engineering · exported 2026-12-07"


def source(n: int, name: str, page: int | None, chunk: str) -> dict[str, Any]:
    return {
        "n": n,
        "chunk_id": chunk,
        "document_id": f"doc-{name}",
        "version": 1,
        "document_name": name,
        "kb_id": "kb-eng",
        "kb_name": "Engineering",
        "page": page,
        "text": f"Passage of {name} on page {page}.",
        "score": 0.9,
        "relevance": 0.8,
        "href": f"/view/doc-{name}?chunk={chunk}&page={page or ''}&version=1",
    }


INDENTATION = (
    "Use 4 spaces per indentation level [1]. Continuation lines should align wrapped "
    "elements vertically [1][2].\n\n"
    "- Spaces are the preferred indentation method [2].\n"
    "- Tabs should be used solely to remain consistent with code already indented with "
    "tabs [1].\n\n"
    "```python\n"
    "def long_function_name(\n"
    "        var_one, var_two, var_three,\n"
    "        var_four):\n"
    "    print(var_one)  # a[1] stays code\n"
    "```\n\n" + EXTRACTIVE_NOTE
)
NAMING = (
    "Naming follows a few conventions “as written” — café, naïve, Ωmega → ok [1]:\n\n"
    "| Kind | Style |\n"
    "|---|---|\n"
    "| Class | `CapWords` [1] |\n"
    "| Function | `lower_case_with_underscores` |\n\n"
    "1. Modules have short, **all-lowercase** names [2].\n"
    "2. Constants are written in *capital letters* with underscores, as in "
    "[the guide](https://peps.python.org/pep-0008/) [1]."
)


def sections() -> list[DraftSection]:
    return [
        DraftSection(
            draft_id="d",
            position=0,
            ref="Q01",
            group="Code layout",
            title="How should code be indented?",
            content=INDENTATION,
            sources=[
                source(1, "pep-0008.txt", 3, "c1"),
                source(2, "pep-0008.txt", 4, "c2"),
            ],
            status="drafted",
            mode="extractive",
        ),
        DraftSection(
            draft_id="d",
            position=1,
            ref="Q02",
            group="Naming",
            title="Which naming conventions apply to classes, functions and modules?",
            content=NAMING,
            sources=[
                source(1, "pep-0008.txt", 12, "c3"),
                source(2, "pep-0423.txt", None, "c4"),
            ],
            status="edited",
            mode="manual",
        ),
        DraftSection(
            draft_id="d",
            position=2,
            ref="Q03",
            group="Naming",
            title="Who approves production deploys at PELICAN?",
            content=NOT_COVERED_TEXT,
            sources=[],
            status="drafted",
            mode="not_covered",
        ),
        DraftSection(
            draft_id="d",
            position=3,
            ref="Q04",
            group="Naming",
            title="What is our escalation contact for security incidents?",
            content="",
            sources=[],
            status="empty",
        ),
    ]


def document(questionnaire: bool = True) -> ExportDocument:
    return build_document(TITLE, SUBTITLE, sections(), BASE_URL, questionnaire)
