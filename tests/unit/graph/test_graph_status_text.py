"""What the documents page and KB settings say about the graph: the stage line under a document,
the status card's figures and the estimate a KB admin confirms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lumikb_app.services.graph.llm_estimate import Estimate
from lumikb_app.services.graph.status import (
    WAITING,
    DocumentGraphStage,
    FailedDocument,
    GraphKbStatus,
)
from lumikb_app.state.documents.graph_stage import NO_LINE, graph_line
from lumikb_app.state.knowledge_bases.graph_card import estimate_card, graph_card, when

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)


def test_a_running_stage_says_how_far_it_is_and_how_long_is_left():
    line = graph_line(
        DocumentGraphStage(
            state="extracting", progress=0.62, eta_seconds=3.4, chunks_total=62, chunks_done=40
        )  # fmt: skip
    )
    assert line.label == "Knowledge graph: 40 of 62 passages · about 3 s left"
    assert (line.shown, line.working, line.failed, line.percent) == (True, True, False, 62)


def test_a_long_wait_is_said_in_minutes_and_an_unknown_one_not_at_all():
    long = DocumentGraphStage(state="extracting", eta_seconds=600, chunks_total=9000, chunks_done=1)
    assert graph_line(long).label.endswith("1 of 9000 passages · about 10 min left")
    unknown = DocumentGraphStage(state="extracting", eta_seconds=None, chunks_total=5)
    assert graph_line(unknown).label == "Knowledge graph: 0 of 5 passages"


def test_waiting_ready_and_failed_stages():
    assert graph_line(WAITING).label == "Knowledge graph: waiting to start"
    assert graph_line(WAITING).working
    ready = graph_line(
        DocumentGraphStage(state="ready", detail="85 entities, 120 relations", chunks_failed=2)
    )
    assert ready.label == "Knowledge graph: ready · 85 entities, 120 relations · 2 passages skipped"
    assert (ready.percent, ready.working) == (100, False)
    failed = graph_line(DocumentGraphStage(state="failed", error="The model is not reachable"))
    assert failed.label == "Knowledge graph failed: The model is not reachable"
    assert failed.failed and not failed.working


def test_a_document_without_a_stage_shows_no_line():
    assert graph_line(None) == NO_LINE and not NO_LINE.shown


def _status(**values) -> GraphKbStatus:
    base = dict(
        mode="fast", retrieval=True, entities=12345, relations=678, mentions=9000, communities=7,
        documents_ready=14, documents_done=12, documents_extracting=0, extracting_progress=0.0,
        chunks_failed=3, documents_failed=0, failed=[], last_extracted_at=None, tokens=0,
        llm_model="",
    )  # fmt: skip
    return GraphKbStatus(**{**base, **values})


def test_the_card_gives_the_figures_a_kb_admin_checks():
    card = graph_card(_status(last_extracted_at=NOW - timedelta(minutes=5)), NOW)
    assert (card.entities, card.relations, card.communities) == ("12,345", "678", "7")
    assert (card.documents, card.failed_chunks) == ("12 of 14", "3")
    assert card.last_extraction == "5 minutes ago"
    assert (card.extracting, card.tokens, card.working) == ("", "", False)


def test_the_card_while_extracting_and_after_failures():
    failed = [FailedDocument(f"d{i}", f"pep-{i}.md", "timed out") for i in range(5)]
    card = graph_card(
        _status(
            documents_extracting=2,
            extracting_progress=0.4,
            documents_failed=7,
            failed=failed,
            tokens=120000,
        )  # fmt: skip
    )
    assert card.extracting == "2 documents extracting · 40%" and card.working
    assert card.last_extraction == "in progress"  # none finished yet: not "never"
    assert card.failed[0] == "pep-0.md: timed out" and len(card.failed) == 5
    assert card.more_failed == "and 2 more"
    assert card.tokens == "120,000"


def test_when_says_how_long_ago():
    assert when(None) == "never"
    assert when(NOW - timedelta(seconds=20), NOW) == "just now"
    assert when(NOW - timedelta(hours=1), NOW) == "1 hour ago"
    assert when(NOW - timedelta(days=3), NOW) == "Dec 03, 2026 18:00 UTC"
    assert when(datetime(2026, 12, 6, 17, 0), NOW) == "1 hour ago"  # no zone: UTC


def test_the_estimate_names_every_figure_and_an_unknown_price():
    card = estimate_card(Estimate(120, 30, 60000, 36000, 87.5, None))
    assert (card.chunks, card.calls, card.time, card.cost) == (
        "120 passages", "30 model calls", "about 88 s", "price unknown",
    )  # fmt: skip
    assert card.tokens == "about 96,000 tokens (60,000 in, 36,000 out)"
    assert estimate_card(Estimate(1, 1, 900, 300, 4000, 1.234)).cost == "about $1.23"
    assert estimate_card(Estimate(1, 1, 900, 300, 4000, 0.0004)).cost == "less than $0.01"
    assert estimate_card(Estimate(1, 1, 900, 300, 4000, 0.0)).time == "about 67 min"
