"""How a passage becomes a search result row: marked snippet parts, page, why, link."""

from __future__ import annotations

import pytest

from lumikb_app.domain.retrieval import Passage
from lumikb_app.state.retrieval.search import SnippetPart, result_view, snippet_parts, why_label

pytestmark = pytest.mark.unit


def _passage(**changes) -> Passage:
    fields = dict(
        chunk_id="c1", document_id="d1", document_name="handbook.pdf", kb_id="k1",
        kb_name="Engineering Handbook", mime_type="application/pdf",
        text="Release builds are signed with the hardware key stored in the vault.",
        score=0.8765, page_start=2, page_end=2, matched_terms=("hardware", "vault"),
        semantic=True, keyword=True,
    )  # fmt: skip
    return Passage(**{**fields, **changes})


def test_snippet_parts_alternate_plain_and_marked_text_and_keep_every_character():
    text = "signed with the hardware key in the vault"
    parts = snippet_parts(text, [(16, 24), (36, 41)])
    assert parts == [
        SnippetPart("signed with the "),
        SnippetPart("hardware", mark=True),
        SnippetPart(" key in the "),
        SnippetPart("vault", mark=True),
    ]
    assert snippet_parts(text, [(0, 6), (3, 9)])[0] == SnippetPart("signed", mark=True)
    assert "".join(p.text for p in snippet_parts(text, [(0, 6), (3, 9)])) == text


def test_markup_in_a_document_stays_text():
    parts = snippet_parts("<b>bold</b> claim", [(3, 7)])
    assert parts[0] == SnippetPart("<b>") and parts[1] == SnippetPart("bold", mark=True)


def test_a_result_says_where_it_is_why_it_matched_and_links_to_the_page():
    row = result_view(_passage())
    assert (row.document_name, row.kb_name, row.page_label) == (
        "handbook.pdf", "Engineering Handbook", "Page 2",
    )  # fmt: skip
    assert row.score_label == "0.88"
    assert row.why == "Matched: hardware, vault · semantic match"
    assert row.href == "/view/d1?chunk=c1&page=2&version=1"
    assert [p.text for p in row.parts if p.mark] == ["hardware", "vault"]


def test_page_ranges_text_documents_and_meaning_only_matches():
    assert result_view(_passage(page_end=3)).page_label == "Pages 2–3"
    text_row = result_view(_passage(page_start=None, page_end=None, mime_type="text/markdown"))
    assert text_row.page_label == "" and text_row.href == "/view/d1?chunk=c1&page=&version=1"
    assert why_label(_passage(matched_terms=())) == "Semantic match: similar meaning"
    assert why_label(_passage(semantic=False)) == "Matched: hardware, vault"
