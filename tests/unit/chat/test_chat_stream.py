"""The chat stream plumbing: the bridge thread's pump, the page's stop flags and growing answer."""

from __future__ import annotations

import pytest

from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat.event_bridge import FAILED, pump
from lumikb_app.state.chat.chat_stream import AnswerSoFar, request_stop, stop_flag

pytestmark = pytest.mark.unit


def _pumped(make_events) -> list:
    pushed: list = []
    pump(make_events, pushed.append)
    return pushed


def test_the_pump_passes_every_event_then_marks_the_end():
    events = [ChatEvent("status", {"message": "Searching"}), ChatEvent("token", {"text": "Hi"})]

    assert _pumped(lambda: iter(events)) == [*events, None]


def test_refused_input_becomes_an_error_event_a_person_can_read():
    def refuse():
        raise ChatInputError("Type a question first.")

    def foreign():
        raise PermissionDenied("Conversation not found.")

    assert _pumped(refuse) == [ChatEvent("error", {"message": "Type a question first."}), None]
    assert _pumped(foreign) == [ChatEvent("error", {"message": "Conversation not found."}), None]


def test_a_crash_mid_answer_keeps_what_streamed_and_ends_with_a_plain_error():
    def crash():
        yield ChatEvent("token", {"text": "Part"})
        raise RuntimeError("database went away at 10.0.0.5")

    pushed = _pumped(crash)

    assert pushed == [
        ChatEvent("token", {"text": "Part"}),
        ChatEvent("error", {"message": FAILED}),
        None,
    ]


def test_the_answer_grows_with_tokens_and_citations_and_done_has_the_last_word():
    citation = {"n": 1, "href": "/view/d?chunk=c&page=2"}
    answer = AnswerSoFar()
    for event in (
        ChatEvent("status", {"message": "Writing the answer…"}),
        ChatEvent("citation", citation),
        ChatEvent("token", {"text": "Signed "}),
        ChatEvent("token", {"text": "[1]"}),
    ):
        answer.apply(event)

    assert (answer.text, answer.citations, answer.status) == (
        "Signed [1]",
        [citation],
        "Writing the answer…",
    )
    answer.apply(ChatEvent("done", {"content": "Signed [1].", "citations": [citation]}))
    assert answer.text == "Signed [1]."


def test_an_error_the_service_stored_is_not_shown_twice():
    answer = AnswerSoFar()
    answer.apply(ChatEvent("error", {"message": "The model failed.", "message_id": "m1"}))

    assert (answer.error, answer.error_stored) == ("The model failed.", True)


def test_a_stop_request_reaches_the_flag_the_worker_thread_reads():
    flag = stop_flag("stream-1")
    assert not flag.is_set()

    request_stop("stream-1")
    request_stop("no-such-stream")  # a stream that already ended: nothing to do

    assert flag.is_set() and stop_flag("stream-1") is flag
