"""The chat page's view of the newcomer's tools: the no-model notice once per conversation (and
only its first sentence for someone who cannot configure a model), the scope picker's ticks, and
what stays on screen when a question is edited."""

from __future__ import annotations

import pytest

from lumikb_app.db.tables import ChatMessage
from lumikb_app.services.chat.extractive import NO_MODEL_NOTE
from lumikb_app.state.chat import chat_view

pytestmark = pytest.mark.unit


def _extractive(text: str) -> ChatMessage:
    return ChatMessage(
        conversation_id="c",
        role="assistant",
        content=f"{text}\n\n{NO_MODEL_NOTE}",
        mode="extractive",
        confidence=0.5,
    )


def _question(text: str, message_id: str = "") -> ChatMessage:
    return ChatMessage(id=message_id or text, conversation_id="c", role="user", content=text)


def _thread() -> list[ChatMessage]:
    return [
        _question("First?"),
        _extractive("Quoted one."),
        _question("Second?"),
        _extractive("Quoted two."),
    ]


def test_the_no_model_notice_shows_once_in_a_conversation():
    views = chat_view.message_views(_thread(), full_note=True)

    notes = [v.note for v in views if v.role == "assistant"]
    assert notes == [NO_MODEL_NOTE, ""]
    assert [v.content for v in views if v.role == "assistant"] == ["Quoted one.", "Quoted two."]


def test_someone_who_is_not_an_admin_reads_only_the_notices_first_sentence():
    views = chat_view.message_views(_thread(), full_note=False)

    first = views[1].note
    assert first == (
        "No language model is configured, so this answer quotes the passages that best match "
        "your question instead of writing one."
    )
    assert "Admin" not in first and views[3].note == ""


@pytest.mark.parametrize(
    ("current", "kb_id", "checked", "expected"),
    [
        ([], "kb-a", True, ["kb-a"]),
        (["kb-a"], "kb-b", True, ["kb-a", "kb-b"]),
        (["kb-a", "kb-b"], "kb-a", False, ["kb-b"]),
        (["kb-a", "kb-b"], "all", True, []),
        (["kb-a"], "all", False, ["kb-a"]),  # unticking "all" keeps the chosen ones
        (["kb-a"], "kb-unknown", True, ["kb-a"]),  # a KB this page does not list
        (["kb-a", "kb-a"], "kb-b", True, ["kb-a", "kb-b"]),
    ],
)
def test_ticking_knowledge_bases_builds_the_scope(current, kb_id, checked, expected):
    assert chat_view.toggled_scope(current, kb_id, checked, ["kb-a", "kb-b"]) == expected


def test_editing_a_question_keeps_only_the_turns_before_it():
    views = chat_view.message_views(
        [_question("One?", "q1"), _extractive("A."), _question("Two?", "q2"), _extractive("B.")]
    )

    assert [v.content for v in chat_view.before_message(views, "q2")] == ["One?", "A."]
    assert chat_view.before_message(views, "missing") == views
