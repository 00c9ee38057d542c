"""How a passage becomes a search result row: marked snippet parts, page, why, link."""

from __future__ import annotations

import pytest

from lumikb_app.domain.retrieval import Passage
from lumikb_app.state.retrieval.search import (
    SnippetPart,
    relevance_label,
    result_view,
    snippet_parts,
    why_label,
)

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
    assert row.section == ""
    assert row.why == "Matched: hardware, vault · semantic match"
    assert row.href == "/view/d1?chunk=c1&page=2&version=1"
    assert [p.text for p in row.parts if p.mark] == ["hardware", "vault"]


def test_page_ranges_text_documents_and_meaning_only_matches():
    assert result_view(_passage(page_end=3)).page_label == "Pages 2–3"
    text_row = result_view(_passage(page_start=None, page_end=None, mime_type="text/markdown"))
    assert text_row.page_label == "" and text_row.href == "/view/d1?chunk=c1&page=&version=1"
    assert why_label(_passage(matched_terms=())) == "Semantic match: similar meaning"
    assert why_label(_passage(semantic=False)) == "Matched: hardware, vault"


def _snippet(row) -> str:
    return "".join(p.text for p in row.parts)


def test_the_section_path_is_shown_apart_from_the_snippet():
    text = "Release process\n\nSigning\n\nSigning keys live in the vault."
    row = result_view(_passage(text=text, heading_path=("Release process", " Signing ", "")))
    assert row.section == "Release process › Signing"
    assert _snippet(row) == "Signing keys live in the vault."
    # A chunk that opens with its own section's heading only, or with body text, keeps the body.
    later = _passage(text="Signing\nThe key is in the vault.", heading_path=("Release", "Signing"))
    assert _snippet(result_view(later)) == "The key is in the vault."
    body = _passage(text="Signing keys rotate yearly.\nAsk ops.", heading_path=("Signing",))
    assert _snippet(result_view(body)) == "Signing keys rotate yearly. Ask ops."
    only = _passage(text="Release\nSigning", heading_path=("Release", "Signing"))
    assert _snippet(result_view(only)) == "Release Signing"


def test_relevance_is_the_calibrated_figure_as_a_percentage_not_the_fused_score():
    assert relevance_label(_passage(score=0.98, relevance=0.82)) == "Relevance 82%"
    assert relevance_label(_passage(score=1.0, relevance=0.04)) == "Relevance 4%"
    assert relevance_label(_passage(relevance=1.3)) == "Relevance 100%"
    assert result_view(_passage(relevance=0.5)).relevance_label == "Relevance 50%"
    assert (
        result_view(_passage(relevance=0.2)).weak and not result_view(_passage(relevance=0.6)).weak
    )


def test_semantic_match_is_said_only_when_the_search_found_the_meaning_close():
    vague = _passage(matched_terms=(), semantic=False, keyword=False, relevance=0.1)
    assert "Semantic" not in why_label(vague) and why_label(vague) == "Weak match"
    assert why_label(_passage(matched_terms=(), semantic=False)) == "Keyword match"


def test_a_result_link_carries_the_query_for_the_viewers_back_to_results():
    row = result_view(_passage(), query="hardware & vault")
    assert row.href == "/view/d1?chunk=c1&from=search&q=hardware+%26+vault&page=2&version=1"
    assert result_view(_passage(), query="  ").href == "/view/d1?chunk=c1&page=2&version=1"
    long = result_view(_passage(), query="x" * 900).href
    assert "q=" + "x" * 500 + "&page=2" in long
