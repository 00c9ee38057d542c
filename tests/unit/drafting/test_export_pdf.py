"""The PDF export read back with pypdf: title, headings, answers, code, each section's
numbered sources naming document, page and knowledge base with a working link to the viewer,
the extractive note once, the sections left for a person marked; and the Latin-1 fallback when
the DejaVu fonts are missing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from lumikb_app.domain.drafting import EXTRACTIVE_NOTE
from lumikb_app.services.drafting import export_pdf
from tests.unit.drafting.export_samples import BASE_URL, TITLE, document

pytestmark = pytest.mark.unit


def _read(data: bytes) -> tuple[str, list[str], PdfReader]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/URI" in annotation.get_object().get("/A", {})
    ]
    return " ".join(text.split()), links, reader


@pytest.fixture(scope="module")
def pdf():
    return _read(export_pdf.render_pdf(document()))


def test_title_headings_and_answers(pdf):
    text, _, reader = pdf
    assert reader.metadata.title == TITLE and text.startswith(TITLE)
    for heading in ("Code layout", "Q01 – How should code be indented?", "Naming"):
        assert heading in text
    assert "Use 4 spaces per indentation level" in text
    assert "Spaces are the preferred indentation method" in text
    assert "café, naïve, Ωmega → ok" in text
    assert "Class CapWords³" in text  # the table, its citation a superscript
    assert "page 1 of 2" in text


def test_code_keeps_its_lines(pdf):
    text, _, _ = pdf
    assert "def long_function_name( var_one, var_two, var_three, var_four):" in text
    assert "print(var_one) # a[1] stays code" in text


def test_each_section_lists_its_numbered_sources_with_links(pdf):
    text, links, _ = pdf
    assert "Sources 1 pep-0008.txt, page 3 (Engineering)." in text
    assert "3 pep-0008.txt, page 12 (Engineering)." in text
    assert "4 pep-0423.txt (Engineering)." in text
    assert f"{BASE_URL}/view/doc-pep-0008.txt?chunk=c1&page=3&version=1" in links
    assert f"{BASE_URL}/view/doc-pep-0423.txt?chunk=c4&page=&version=1" in links
    assert "https://peps.python.org/pep-0008/" in links  # the answer's own link


def test_the_note_once_and_sections_left_for_a_person_marked(pdf):
    text, _, _ = pdf
    assert text.count(" ".join(EXTRACTIVE_NOTE.split())) == 1
    assert "NOT COVERED — LEFT FOR A PERSON TO ANSWER The knowledge bases" in text
    assert text.lower().count("not covered") == 1
    assert "NOT ANSWERED YET — LEFT FOR A PERSON TO ANSWER" in text


def test_without_dejavu_the_pdf_is_still_written_in_latin_1(monkeypatch, caplog):
    monkeypatch.setattr(export_pdf, "find_dejavu", lambda: None)
    text, links, _ = _read(export_pdf.render_pdf(document()))
    assert "fonts-dejavu-core" in caplog.text
    assert "café, naïve, ?mega -> ok" in text
    assert "Q01 - How should code be indented?" in text
    assert f"{BASE_URL}/view/doc-pep-0008.txt?chunk=c1&page=3&version=1" in links
