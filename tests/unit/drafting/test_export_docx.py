"""The Word export read back with python-docx: headings per question under their group, the
answers' text, list, table and code, each citation a real footnote naming the document, page
and viewer link, the extractive note once, and the sections left for a person marked."""

from __future__ import annotations

import io

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from lumikb_app.domain.drafting import EXTRACTIVE_NOTE
from lumikb_app.services.drafting.export_docx import render_docx
from tests.unit.drafting.export_samples import BASE_URL, TITLE, document

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def word():
    return docx.Document(io.BytesIO(render_docx(document())))


def _styled(word, prefix: str) -> list[str]:
    return [p.text for p in word.paragraphs if p.style.name.startswith(prefix)]


def _footnotes(word) -> dict[int, tuple[str, list[str]]]:
    """Each footnote's text and the links it holds, by id (Word's separators left out)."""
    part = word.part.part_related_by(RT.FOOTNOTES)
    notes = {}
    for note in parse_xml(part.blob).findall(qn("w:footnote")):
        number = int(note.get(qn("w:id")))
        if number > 0:
            text = "".join(t.text for t in note.iter(qn("w:t")))
            links = [part.rels[h.get(qn("r:id"))].target_ref for h in note.iter(qn("w:hyperlink"))]
            notes[number] = (text, links)
    return notes


def test_the_title_and_a_heading_per_group_and_question(word):
    assert _styled(word, "Title") == [TITLE]
    assert _styled(word, "Heading 1") == ["Code layout", "Naming"]
    assert _styled(word, "Heading 2") == [
        "Q01 – How should code be indented?",
        "Q02 – Which naming conventions apply to classes, functions and modules?",
        "Q03 – Who approves production deploys at PELICAN?",
        "Q04 – What is our escalation contact for security incidents?",
    ]


def test_answers_keep_their_text_lists_and_tables(word):
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Use 4 spaces per indentation level. Continuation lines should align" in text
    assert "•\tSpaces are the preferred indentation method" in text
    assert "1.\tModules have short, all-lowercase names" in text
    assert "café, naïve, Ωmega → ok" in text
    (table,) = word.tables
    assert [c.text for c in table.rows[0].cells] == ["Kind", "Style"]
    assert table.rows[1].cells[1].text.startswith("CapWords")


def test_a_code_block_stays_monospaced_with_its_lines_and_brackets(word):
    (code,) = [p for p in word.paragraphs if p.style.name == "Code Block"]
    assert code.text.splitlines() == [
        "def long_function_name(",
        "        var_one, var_two, var_three,",
        "        var_four):",
        "    print(var_one)  # a[1] stays code",
    ]
    assert word.styles["Code Block"].font.name == "Courier New"


def test_every_citation_is_a_footnote_naming_document_page_and_link(word):
    notes = _footnotes(word)
    assert sorted(notes) == [1, 2, 3, 4]
    text, links = notes[1]
    assert "pep-0008.txt, page 3 (Engineering)" in text
    assert links == [f"{BASE_URL}/view/doc-pep-0008.txt?chunk=c1&page=3&version=1"]
    assert "page 12" in notes[3][0] and "pep-0423.txt (Engineering)" in notes[4][0]
    body = word.element.body
    references = [int(r.get(qn("w:id"))) for r in body.iter(qn("w:footnoteReference"))]
    assert references == [1, 2, 3, 4]  # one note per source of an answer
    repeats = [f.get(qn("w:instr")) for f in body.iter(qn("w:fldSimple"))]
    assert [r.split()[1] for r in repeats] == [f"_RefNote{n}" for n in (1, 2, 1, 3, 3)]


def test_the_extractive_note_is_said_once(word):
    text = "\n".join(p.text for p in word.paragraphs)
    assert text.count(EXTRACTIVE_NOTE) == 1


def test_sections_left_for_a_person_are_marked_plainly(word):
    paragraphs = [p.text for p in word.paragraphs]
    q3 = paragraphs.index("Q03 – Who approves production deploys at PELICAN?")
    assert paragraphs[q3 + 1].startswith("NOT COVERED — LEFT FOR A PERSON TO ANSWER")
    assert "do not answer this" in paragraphs[q3 + 1]
    assert paragraphs[q3 + 1].lower().count("left for a person") == 1  # said once, not twice
    assert paragraphs[q3 + 3].startswith("NOT ANSWERED YET — LEFT FOR A PERSON TO ANSWER")


def test_a_template_draft_has_its_sections_as_top_headings():
    word = docx.Document(io.BytesIO(render_docx(document(questionnaire=False))))
    headings = _styled(word, "Heading 1")
    assert "Q01 – How should code be indented?" in headings
    assert not _styled(word, "Heading 2")


def test_every_page_is_numbered_in_the_footer(word):
    footer = word.sections[0].footer
    assert footer.paragraphs[0].text.startswith(f"{TITLE} · page ")
    fields = [f.get(qn("w:instr")) for f in footer._element.iter(qn("w:fldSimple"))]
    assert fields == [" PAGE "]
