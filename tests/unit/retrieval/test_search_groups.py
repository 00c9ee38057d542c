"""Search results grouped by document, the KB filter's choice, and the one default count that the
search page and the REST API share."""

from __future__ import annotations

import inspect

import pytest

from lumikb_app.api import v1_models
from lumikb_app.domain.search_page import RESULTS_PER_SEARCH
from lumikb_app.state.retrieval import kb_filter
from lumikb_app.state.retrieval import search as search_state
from lumikb_app.state.retrieval.result_groups import group_by_document, more_label, took_label
from lumikb_app.state.retrieval.search import ResultView

pytestmark = pytest.mark.unit


def _row(chunk: str, document: str) -> ResultView:
    return ResultView(
        chunk_id=chunk, document_id=document, document_name=f"{document}.md", kb_name="KB",
        page_label="", section="", parts=[], relevance_label="", weak=False, why="", href=f"/view/{document}",
    )  # fmt: skip


def test_each_document_shows_once_at_the_rank_of_its_best_passage():
    rows = [_row("a1", "A"), _row("b1", "B"), _row("a2", "A"), _row("c1", "C"), _row("a3", "A")]
    groups = group_by_document(rows)
    assert [g.document_id for g in groups] == ["A", "B", "C"]
    assert groups[0].best.chunk_id == "a1"
    assert [r.chunk_id for r in groups[0].more] == ["a2", "a3"]
    assert groups[0].more_label == "2 more passages in this document"
    assert groups[1].more == [] and groups[1].more_label == ""


def test_more_and_took_labels_count_in_words():
    assert more_label(1) == "1 more passage in this document"
    assert more_label(0) == ""
    assert took_label(7, 3, 120.4) == "7 passages in 3 documents · 120 ms"
    assert took_label(1, 1, 9) == "1 passage in 1 document · 9 ms"
    assert took_label(0, 0, 15) == "0 passages · 15 ms"


def test_the_page_and_the_api_return_the_same_number_of_results_by_default():
    assert search_state.PAGE_LIMIT == RESULTS_PER_SEARCH
    assert inspect.signature(search_state.search_views).parameters["limit"].default == (
        RESULTS_PER_SEARCH
    )
    assert v1_models.SearchIn(query="x").limit == RESULTS_PER_SEARCH


def test_the_kb_filter_keeps_only_readable_kbs_in_the_order_chosen():
    chosen = kb_filter.parse_kb_param(" k2,k1,,k2, " + "x" * 65)
    assert chosen == ["k2", "k1"]
    assert kb_filter.readable_choice(["k2", "secret", "k1"], {"k1", "k2"}) == ["k2", "k1"]
    assert kb_filter.toggled(["k1"], "k2", True) == ["k1", "k2"]
    assert kb_filter.toggled(["k1", "k2"], "k1", False) == ["k2"]
    assert kb_filter.kb_param(["k1", "k2"]) == "k1,k2"


def test_the_kb_filter_button_says_what_is_searched():
    names = {"k1": "Handbook", "k2": "Runbooks"}
    assert kb_filter.filter_label([], names) == "All knowledge bases"
    assert kb_filter.filter_label(["k2"], names) == "Runbooks"
    assert kb_filter.filter_label(["k1", "k2"], names) == "2 knowledge bases"


def test_the_search_url_carries_several_kbs():
    assert search_state.search_url("release plan", ["k1", "k2"], "pdf") == (
        "/search?q=release+plan&kb=k1%2Ck2&type=pdf"
    )
    assert search_state.search_url("  ", ["k1"]) == "/search"
