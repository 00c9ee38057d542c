"""What the chat page shows for an answer: citation badges, sources, confidence, the no-model note."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lumikb_app.db.tables import ChatMessage, Conversation
from lumikb_app.services.chat.extractive import NO_MODEL_NOTE
from lumikb_app.state.chat import chat_view

pytestmark = pytest.mark.unit


def _source(n: int, page: int | None = 2, score: float = 0.81) -> dict:
    return {
        "n": n,
        "chunk_id": f"chunk-{n}",
        "document_id": f"doc-{n}",
        "document_name": f"handbook-{n}.pdf",
        "kb_id": "kb-1",
        "kb_name": "Engineering Handbook",
        "page": page,
        "text": f"Passage {n} says   something\nuseful.",
        "score": score,
        "href": f"/view/doc-{n}?chunk=chunk-{n}&page={page or ''}",
    }


def test_markers_become_badges_that_link_to_their_citation():
    parts = chat_view.segments("Sign builds [1] and tag them [2].", [_source(1), _source(2)])

    assert [(p.text, p.n) for p in parts] == [
        ("Sign builds ", 0),
        ("1", 1),
        (" and tag them ", 0),
        ("2", 2),
        (".", 0),
    ]
    assert parts[1].href == "/view/doc-1?chunk=chunk-1&page=2"
    assert parts[1].document_name == "handbook-1.pdf"
    assert parts[1].where == "Engineering Handbook · Page 2"
    assert parts[1].passage == "Passage 1 says something useful."


def test_a_marker_without_a_citation_stays_plain_text():
    parts = chat_view.segments("See [3] and [1, 3].", [_source(1)])

    assert [(p.text, p.n) for p in parts] == [("See [3] and ", 0), ("1", 1), (".", 0)]


def test_text_without_markers_is_one_plain_segment():
    assert [(p.text, p.n) for p in chat_view.segments("No sources.", [])] == [("No sources.", 0)]
    assert chat_view.segments("", [_source(1)]) == []


def test_sources_list_every_source_and_mark_the_cited_ones():
    sources = [_source(2, page=None, score=0.4), _source(1)]

    views = chat_view.source_views(sources, [_source(1)])

    assert [(v.n, v.cited, v.where, v.score_label) for v in views] == [
        (1, True, "Engineering Handbook · Page 2", "score 0.81"),
        (2, False, "Engineering Handbook", "score 0.40"),
    ]


def test_a_source_shows_its_calibrated_relevance_not_the_list_relative_score():
    views = chat_view.source_views([{**_source(1, score=1.0), "relevance": 0.274}], [])

    assert views[0].score_label == "relevance 27%"


def test_confidence_levels():
    assert chat_view.confidence(None) == (0, "")
    assert chat_view.confidence(0.82) == (82, "high")
    assert chat_view.confidence(0.55) == (55, "medium")
    assert chat_view.confidence(0.1) == (10, "low")
    assert chat_view.confidence(3.0) == (100, "high")


def _answer(**fields) -> ChatMessage:
    values = {
        "conversation_id": "c1",
        "role": "assistant",
        "content": "Builds are signed [1].",
        "sources": [_source(1), _source(2)],
        "citations": [_source(1)],
        "mode": "llm",
        "status": "done",
        "confidence": 0.74,
    }
    return ChatMessage(**{**values, **fields})


def test_a_stored_answer_keeps_its_rating_feedback_and_is_the_last_one():
    question = ChatMessage(conversation_id="c1", role="user", content="How are builds signed?")
    answer = _answer(rating=-1, feedback="wrong page")

    views = chat_view.message_views([question, answer])

    assert [v.role for v in views] == ["user", "assistant"]
    assert views[0].content == "How are builds signed?"
    assert (views[1].rating, views[1].feedback, views[1].is_last) == (-1, "wrong page", True)
    assert views[1].confidence_label == "High confidence · 74%"
    assert [s.n for s in views[1].segments if s.n] == [1]
    assert [s.n for s in views[1].cited_sources] == [1]
    assert [s.n for s in views[1].other_sources] == [2]


def test_a_stopped_answer_shows_no_confidence():
    view = chat_view.message_view(_answer(status="stopped"))

    assert (view.confidence_level, view.confidence_label) == ("", "")


def test_no_answer_shows_no_confidence():
    view = chat_view.message_view(_answer(mode="no_answer", sources=[], citations=[]))

    assert view.confidence_level == ""


def test_the_extractive_note_is_split_from_the_quoted_answer():
    view = chat_view.message_view(
        _answer(mode="extractive", content=f"Builds are signed [1].\n\n{NO_MODEL_NOTE}")
    )

    assert view.content == "Builds are signed [1]."
    assert view.note == NO_MODEL_NOTE
    assert NO_MODEL_NOTE not in "".join(s.text for s in view.segments)


def test_updated_labels():
    now = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)

    assert chat_view.updated_label(datetime(2026, 11, 25, 9, 5), now) == "Today 09:05"
    assert chat_view.updated_label(datetime(2026, 11, 24, 23, 0), now) == "Yesterday"
    assert chat_view.updated_label(datetime(2026, 3, 2, 8, 0), now) == "Mar 02"
    assert chat_view.updated_label(datetime(2025, 3, 2, 8, 0), now) == "Mar 02, 2025"


def test_a_conversation_scoped_to_a_kb_says_so():
    scoped = Conversation(user_id="u", title="Releases", kb_ids=["kb-1"])

    view = chat_view.conversation_view(scoped)

    assert (view.title, view.kb_ids, view.scoped) == ("Releases", ["kb-1"], True)
