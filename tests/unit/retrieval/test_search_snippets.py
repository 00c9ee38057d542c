"""Matched terms, highlight ranges and snippets shown with each search result."""

from __future__ import annotations

import pytest

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.retrieval import search
from lumikb_app.services.retrieval.snippets import ELLIPSIS, matched_terms, query_terms

pytestmark = pytest.mark.unit


def _passage(text: str, terms: tuple[str, ...]) -> Passage:
    return Passage(
        chunk_id="c",
        document_id="d",
        document_name="n.md",
        kb_id="k",
        kb_name="K",
        mime_type="text/markdown",
        text=text,
        score=1.0,
        matched_terms=terms,
    )


def test_query_terms_drop_stopwords_and_repeats():
    assert query_terms("How do I restart the Worker, the worker?") == ["restart", "worker"]
    assert query_terms("the of and") == []


def test_matched_terms_compare_stems():
    text = "She runs the backups nightly; the restore was tested."
    assert matched_terms(["running", "backup", "restoring", "kubernetes"], text) == (
        "running",
        "backup",
        "restoring",
    )


def test_highlight_spans_mark_every_form_of_a_term():
    text = "Running jobs: a job runs once. RUN it again."
    spans = search.highlight_spans(text, ["run", "jobs"])
    assert [text[s:e] for s, e in spans] == ["Running", "jobs", "job", "runs", "RUN"]
    assert search.highlight_spans(text, ["the"]) == []
    assert search.highlight_spans(text, []) == []


def test_a_short_passage_is_its_own_snippet():
    text = "Short   passage\nwith a break."
    assert search.snippet(_passage(text, ("passage",))) == "Short passage with a break."


def test_a_long_passage_is_cut_around_the_densest_matches_on_word_boundaries():
    filler = "lorem ipsum dolor sit amet " * 30
    text = f"{filler}the etcd snapshot backup runbook for the etcd cluster {filler}"
    cut = search.snippet(_passage(text, ("etcd", "snapshot", "backup")), max_chars=120)
    assert cut.startswith(ELLIPSIS) and cut.endswith(ELLIPSIS)
    body = cut.strip(ELLIPSIS)
    assert "etcd snapshot backup runbook" in body and len(body) <= 120
    assert body.split()[0] in {"lorem", "ipsum", "dolor", "sit", "amet"}  # whole words only


def test_without_a_match_the_snippet_is_the_start_of_the_passage():
    text = "first words of the passage " + "more text " * 100
    cut = search.snippet(_passage(text, ()), max_chars=60)
    assert cut.startswith("first words") and cut.endswith(ELLIPSIS) and len(cut) <= 61


def test_doc_types_are_labelled_keys():
    assert search.DOC_TYPES["pdf"] == "PDF"
    assert {"pdf", "docx", "markdown", "text"} <= set(search.DOC_TYPES)
