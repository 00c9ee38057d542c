"""What the chat page's state sends the browser per flush of a streaming answer: the real
ChatState, its real flush (`_show`) and Reflex's own delta, for an answer that grows long."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lumikb_app.domain.chat import ChatEvent
from lumikb_app.state.chat import chat_stream as stream
from lumikb_app.state.chat.chat import ChatState
from lumikb_app.state.chat.chat_stream import AnswerSoFar

pytestmark = pytest.mark.unit

CITATION = {
    "n": 1,
    "href": "/view/d?chunk=c&page=2",
    "document_name": "Handbook",
    "text": "y" * 300,
}
SENTENCE = "Release builds are signed with the hardware key kept by the release manager [1]. "


def _encoded(value) -> str:
    """JSON as the websocket carries it (Reflex sends a dataclass as its fields)."""
    return json.dumps(value, default=dataclasses.asdict, separators=(",", ":"))


@pytest.fixture
def chat_state():
    root = ChatState.get_root_state()(_reflex_internal_init=True)
    chat = root.get_substate(ChatState.get_full_name().split(".")[1:])
    chat._begin_stream("How are release builds signed?")
    root._clean()
    return root, chat


def test_each_flush_sends_only_the_new_text_however_long_the_answer_grows(chat_state):
    root, chat = chat_state
    answer, sizes = AnswerSoFar(), []
    answer.apply(ChatEvent("citation", CITATION))
    for _ in range(400):  # ~33,000 characters, a flush every 5 pieces of ~16 characters
        for start in range(0, len(SENTENCE), 16):
            answer.apply(ChatEvent("token", {"text": SENTENCE[start : start + 16]}))
        chat._show(answer)
        sizes.append(len(_encoded(root.get_delta())))
        root._clean()

    assert len(answer.text) > 30_000
    assert max(sizes[-50:]) <= max(sizes[:50])  # the last flushes cost what the first did
    assert max(sizes) < 3_000
    assert sum(sizes) < 3 * len(_encoded(answer.sent))  # in all, about the answer once


def test_a_heartbeat_with_nothing_new_sends_nothing(chat_state):
    root, chat = chat_state
    answer = AnswerSoFar()
    answer.apply(ChatEvent("token", {"text": "Signed."}))
    chat._show(answer)
    root._clean()

    chat._show(answer)

    assert root.get_delta() == {}


def test_a_stream_the_page_begins_registers_nothing_until_its_answer_runs():
    """stream_answer returns early (another stream began, or it already ran) before anything is
    registered; what run_stream registers it removes on every exit (test_chat_stream.py)."""
    root = ChatState.get_root_state()(_reflex_internal_init=True)
    chat = root.get_substate(ChatState.get_full_name().split(".")[1:])

    chat._begin_stream("How are release builds signed?")
    chat._begin_stream("")  # the first is never run

    assert stream.live_count() == 0
    chat.resend_stream()  # nothing live: nothing to send
    assert chat.stream_tail == stream.StreamTail()


def test_a_page_that_missed_part_of_the_answer_is_sent_all_of_it_again(chat_state):
    root, chat = chat_state
    with stream._registered(chat._stream_id) as live:
        for text in ("Signed ", "with a key."):
            live.answer.apply(ChatEvent("token", {"text": text}))
            chat._show(live.answer)

        chat.resend_stream()

    assert chat.stream_tail == stream.StreamTail(0, live.answer.sent)
    assert [segment.text for segment in chat.stream_tail.segments] == ["Signed with a key."]
