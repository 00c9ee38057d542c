"""The chat page's stream plumbing: the pump, the growing answer and the tails sent to the page,
and the live-stream registry, which must be empty again after every way a stream can end."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import asdict, replace

import pytest

from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat.answer_pool import AnswerPool
from lumikb_app.services.chat.event_bridge import FAILED, pump
from lumikb_app.state.chat import chat_stream as stream
from lumikb_app.state.chat.chat_stream import AnswerSoFar, StreamTail

pytestmark = pytest.mark.unit

WAIT = 5.0
CITATION = {
    "n": 1,
    "href": "/view/d?chunk=c&page=2",
    "document_name": "Handbook",
    "text": "x" * 300,
}


def _pumped(make_events) -> list:
    pushed: list = []
    pump(make_events, pushed.append)
    return pushed


def test_the_pump_passes_every_event():
    events = [ChatEvent("status", {"message": "Searching"}), ChatEvent("token", {"text": "Hi"})]

    assert _pumped(lambda: iter(events)) == events


def test_refused_input_becomes_an_error_event_a_person_can_read():
    def refuse():
        raise ChatInputError("Type a question first.")

    def foreign():
        raise PermissionDenied("Conversation not found.")

    assert _pumped(refuse) == [ChatEvent("error", {"message": "Type a question first."})]
    assert _pumped(foreign) == [ChatEvent("error", {"message": "Conversation not found."})]


def test_a_crash_mid_answer_keeps_what_streamed_and_ends_with_a_plain_error():
    def crash():
        yield ChatEvent("token", {"text": "Part"})
        raise RuntimeError("database went away at 10.0.0.5")

    assert _pumped(crash) == [
        ChatEvent("token", {"text": "Part"}),
        ChatEvent("error", {"message": FAILED}),
    ]


# --- the answer and its tails -----------------------------------------------------------------


def _texts(tail: StreamTail) -> list[str]:
    return [segment.text for segment in tail.segments]


def _page_applies(held: list, tail: StreamTail) -> list:
    """What the page's hook does with a tail (ui/components/chat/streamed_text.py)."""
    kept = held[: tail.start]
    if tail.text:
        kept[-1] = replace(kept[-1], text=kept[-1].text[: tail.offset] + tail.text)
    return kept + tail.segments


def test_each_tail_holds_only_what_is_new_and_says_where_it_goes():
    answer = AnswerSoFar()
    assert answer.take_tail() is None  # nothing yet: nothing to send
    answer.apply(ChatEvent("token", {"text": "Signed "}))
    first = answer.take_tail()
    answer.apply(ChatEvent("citation", CITATION))
    answer.apply(ChatEvent("token", {"text": "with a key [1]"}))
    answer.apply(ChatEvent("token", {"text": "."}))
    second = answer.take_tail()

    assert (first.start, _texts(first), first.text) == (0, ["Signed "], "")
    assert (second.start, second.offset, second.text) == (1, 7, "with a key ")  # goes on
    assert _texts(second) == ["1", "."]
    assert second.segments[0].n == 1 and second.segments[0].document_name == "Handbook"
    assert answer.take_tail() is None  # a heartbeat sends nothing
    held = _page_applies(_page_applies([], first), second)
    assert _texts(answer.full_tail()) == [s.text for s in held] == ["Signed with a key ", "1", "."]
    assert _page_applies(held, second) == held  # the same tail again changes nothing


def test_text_that_goes_on_is_sent_as_a_bare_string():
    answer = AnswerSoFar()
    answer.apply(ChatEvent("token", {"text": "Release builds "}))
    answer.take_tail()
    answer.apply(ChatEvent("token", {"text": "are "}))
    tail = answer.take_tail()
    assert tail == StreamTail(1, [], offset=15, text="are ")
    assert len(json.dumps(asdict(tail))) < 70


def test_done_with_the_streamed_text_sends_nothing_more_and_other_text_starts_over():
    answer = AnswerSoFar()
    answer.apply(ChatEvent("token", {"text": "Signed."}))
    answer.take_tail()

    answer.apply(ChatEvent("done", {"content": "Signed.", "citations": []}))
    assert answer.take_tail() is None
    answer.apply(ChatEvent("done", {"content": "Rewritten.", "citations": []}))
    assert answer.take_tail() == StreamTail(0, answer.sent)
    assert _texts(answer.full_tail()) == ["Rewritten."]


def test_the_bytes_sent_per_flush_stay_bounded_however_long_the_answer_grows():
    """A 40,000-character answer with a citation every sentence, flushed every 10 tokens: each
    flush costs about the same, and the page ends up holding the whole answer."""
    answer, sizes, held = AnswerSoFar(), [], []
    answer.apply(ChatEvent("citation", CITATION))
    sentence = "Release builds are signed with the hardware key [1]. "
    for flush in range(760):
        for _ in range(10):
            answer.apply(ChatEvent("token", {"text": sentence[:5] if flush % 2 else sentence}))
        tail = answer.take_tail()
        sizes.append(len(json.dumps(asdict(tail))))
        held = _page_applies(held, tail)

    assert len(answer.text) > 40_000
    assert max(sizes[-100:]) <= max(sizes[:100])  # the end costs no more than the start
    assert max(sizes) < 8_000
    assert "".join(s.text if s.n == 0 else f"[{s.text}]" for s in held) == answer.text


# --- the live-stream registry -----------------------------------------------------------------


def _events(*events: ChatEvent, fail: Exception | None = None, gate=None):
    def make(stop: threading.Event):
        def generate():
            yield from events
            if gate is not None:
                while not stop.is_set():
                    gate.wait(0.01)
            if fail is not None:
                raise fail

        return generate

    return make


async def _run(make, flush=None, pool: AnswerPool | None = None) -> AnswerSoFar:
    pool = pool or AnswerPool(1)
    flushed: list[str] = []

    async def record(live: stream.LiveStream) -> bool:
        flushed.append(live.answer.text)
        return True

    return await stream.run_stream("s1", make, pool.reserve(), flush or record)


async def test_after_a_done_answer_nothing_is_left_registered_and_the_place_is_free():
    pool = AnswerPool(1)
    make = _events(ChatEvent("token", {"text": "Hi"}), ChatEvent("done", {"content": "Hi"}))

    answer = await _run(make, pool=pool)

    assert answer.text == "Hi"
    assert stream.live_count() == 0 and pool.in_use == 0


async def test_after_an_error_nothing_is_left_registered():
    make = _events(ChatEvent("token", {"text": "Pa"}), fail=RuntimeError("model crashed"))

    answer = await _run(make)

    assert answer.error == FAILED and stream.live_count() == 0


async def test_when_the_page_moved_on_the_answer_is_told_to_stop_and_nothing_is_left():
    stops: list[threading.Event] = []

    async def moved_on(live: stream.LiveStream) -> bool:
        stops.append(live.stop)
        return False  # what ChatState._flush says when the page runs another stream

    make = _events(ChatEvent("token", {"text": "Hi"}), gate=threading.Event())
    await _run(make, flush=moved_on)

    assert stops[0].is_set() and stream.live_count() == 0


async def test_when_a_flush_fails_nothing_is_left_registered():
    async def broken(live: stream.LiveStream) -> bool:
        raise RuntimeError("state lock lost")

    make = _events(ChatEvent("token", {"text": "Hi"}), gate=threading.Event())
    with pytest.raises(RuntimeError):
        await _run(make, flush=broken)

    assert stream.live_count() == 0


async def test_a_cancelled_stream_leaves_nothing_registered_and_its_answer_stops():
    pool, registered = AnswerPool(1), asyncio.Event()

    async def flush(live: stream.LiveStream) -> bool:
        registered.set()
        return True

    make = _events(ChatEvent("token", {"text": "Hi"}), gate=threading.Event())
    task = asyncio.create_task(stream.run_stream("s1", make, pool.reserve(), flush))
    await asyncio.wait_for(registered.wait(), WAIT)
    assert stream.live_count() == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert stream.live_count() == 0
    for _ in range(int(WAIT / 0.01)):  # the answer saw its stop flag and gave its place back
        if pool.in_use == 0:
            break
        await asyncio.sleep(0.01)
    assert pool.in_use == 0


async def test_a_stop_request_reaches_the_flag_the_answer_reads():
    seen = asyncio.Event()

    async def flush(live: stream.LiveStream) -> bool:
        stream.request_stop("s1")
        stream.request_stop("no-such-stream")  # one that already ended: nothing to do
        seen.set()
        return True

    make = _events(ChatEvent("token", {"text": "Hi"}), gate=threading.Event())
    await asyncio.wait_for(_run(make, flush=flush), WAIT)  # ends: the gate saw the stop

    assert seen.is_set() and stream.live_count() == 0
