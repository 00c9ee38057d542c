"""The Markdown export as text: headings, each answer's Markdown with its citations as
footnotes (`[^n]`) defined at the end with document, page and absolute link, code blocks kept
as written, the extractive note once, the sections left for a person marked."""

from __future__ import annotations

import pytest

from lumikb_app.domain.drafting import EXTRACTIVE_NOTE
from lumikb_app.services.drafting.export_markdown import render_markdown
from tests.unit.drafting.export_samples import BASE_URL, TITLE, document

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def markdown() -> str:
    return render_markdown(document()).decode("utf-8")


def test_headings_for_the_title_groups_and_questions(markdown):
    lines = markdown.splitlines()
    assert lines[0] == f"# {TITLE}"
    assert "## Code layout" in lines and "## Naming" in lines
    assert "### Q01 – How should code be indented?" in lines


def test_citations_are_footnotes_with_document_page_and_link(markdown):
    assert "Use 4 spaces per indentation level[^1]." in markdown
    assert "align wrapped elements vertically[^1][^2]." in markdown
    assert "Modules have short, **all-lowercase** names[^4]." in markdown
    link = f"{BASE_URL}/view/doc-pep-0008.txt?chunk=c1&page=3&version=1"
    assert f"[^1]: pep-0008.txt, page 3 (Engineering). <{link}>" in markdown.splitlines()
    assert "[^4]: pep-0423.txt (Engineering). <" in markdown
    assert [line for line in markdown.splitlines() if line.startswith("[^3]:")] != []
    assert len([line for line in markdown.splitlines() if line.startswith("[^")]) == 4


def test_code_blocks_and_inline_code_are_kept_as_written(markdown):
    assert "```python\ndef long_function_name(\n        var_one," in markdown
    assert "    print(var_one)  # a[1] stays code\n```" in markdown
    assert "| Class | `CapWords`[^3] |" in markdown


def test_the_note_once_and_sections_left_for_a_person_marked(markdown):
    assert markdown.count(EXTRACTIVE_NOTE) == 1
    assert "> **Not covered — left for a person to answer.**" in markdown
    assert markdown.lower().count("not covered") == 1  # the label, not the label and the text
    assert "> **Not answered yet — left for a person to answer.**" in markdown
