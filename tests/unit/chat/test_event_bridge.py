"""The one bridge from the chat service's blocking generator to asyncio (page and REST API),
running each answer on a place of the shared, bounded answer pool."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from lumikb_app.api.sse import relay
from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.services.chat.answer_pool import AnswerPool
from lumikb_app.services.chat.event_bridge import FAILED, EventBridge

pytestmark = pytest.mark.unit

WAIT = 5.0
POOL = AnswerPool(4)


def _bridge(make_events, stop: threading.Event) -> EventBridge:
    return EventBridge(make_events, stop, POOL.reserve())


async def _read_all(make_events, stop: threading.Event) -> list[ChatEvent]:
    async with _bridge(make_events, stop) as bridge:
        return [event async for event in bridge]


def _endless(stop: threading.Event, stopped: threading.Event):
    """Like the chat service: streams until asked to stop, then stores the answer as stopped."""

    def make_events():
        n = 0
        while not stop.is_set():
            n += 1
            yield ChatEvent("token", {"text": f"{n} "})
            stop.wait(0.01)
        stopped.set()
        yield ChatEvent("done", {"status": "stopped"})

    return make_events


async def test_events_arrive_in_order_then_the_end():
    events = [ChatEvent("status", {"message": "Searching"})]
    events += [ChatEvent("token", {"text": str(n)}) for n in range(200)]
    events.append(ChatEvent("done", {"content": "..."}))

    got = await _read_all(lambda: iter(events), threading.Event())

    assert got == events


async def test_a_crash_mid_stream_is_logged_and_ends_with_a_plain_error(caplog):
    def crash():
        yield ChatEvent("token", {"text": "Part"})
        raise RuntimeError("database went away at 10.0.0.5")

    with caplog.at_level(logging.ERROR):
        got = await _read_all(crash, threading.Event())

    assert got == [ChatEvent("token", {"text": "Part"}), ChatEvent("error", {"message": FAILED})]
    assert "10.0.0.5" not in str(got)
    assert "database went away" in caplog.text  # the details go to the log, not the person


async def test_refused_input_ends_with_its_own_message():
    def refuse():
        raise ChatInputError("Type a question first.")
        yield  # a generator, like the service's

    got = await _read_all(refuse, threading.Event())

    assert got == [ChatEvent("error", {"message": "Type a question first."})]


async def test_next_times_out_without_losing_the_event():
    release = threading.Event()

    def slow():
        release.wait(WAIT)
        yield ChatEvent("token", {"text": "late"})

    async with _bridge(slow, threading.Event()) as bridge:
        with pytest.raises(TimeoutError):
            await bridge.next(0.05)
        release.set()
        assert await bridge.next(WAIT) == ChatEvent("token", {"text": "late"})
        assert await bridge.next(WAIT) is None
        assert await bridge.next(WAIT) is None  # still the end


async def test_a_consumer_that_leaves_sets_the_stop_flag_and_the_thread_still_finishes():
    stop, stopped = threading.Event(), threading.Event()

    async with _bridge(_endless(stop, stopped), stop) as bridge:
        first = await bridge.next(WAIT)
        assert not stop.is_set()

    assert first == ChatEvent("token", {"text": "1 "})
    assert stop.is_set()
    assert await asyncio.to_thread(bridge.finished.wait, WAIT)
    assert stopped.is_set()


async def test_a_cancelled_consumer_sets_the_stop_flag():
    stop, stopped = threading.Event(), threading.Event()
    reading = asyncio.Event()

    async def consume():
        async with _bridge(_endless(stop, stopped), stop) as bridge:
            async for _ in bridge:
                reading.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(reading.wait(), WAIT)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert stop.is_set()
    assert await asyncio.to_thread(stopped.wait, WAIT)


def test_a_closed_event_loop_sets_the_stop_flag_and_the_thread_still_finishes():
    stop, stopped, loop_closed = threading.Event(), threading.Event(), threading.Event()

    def make_events():
        loop_closed.wait(WAIT)
        yield from _endless(stop, stopped)()

    async def leave_without_reading() -> EventBridge:
        bridge = _bridge(make_events, stop)
        await bridge.__aenter__()  # entered, never exited: as if the loop died under it
        return bridge

    bridge = asyncio.run(leave_without_reading())
    loop_closed.set()

    assert bridge.finished.wait(WAIT)
    assert stop.is_set() and stopped.is_set()


async def test_the_sse_relay_closed_by_a_departing_client_sets_the_stop_flag():
    stop, stopped = threading.Event(), threading.Event()
    stream = relay(_bridge(_endless(stop, stopped), stop), {"conversation_id": "c1"})

    first = await anext(stream)
    await stream.aclose()  # what Starlette does when the client disconnects

    assert first == 'event: token\ndata: {"text":"1 "}\n\n'
    assert stop.is_set()
    assert await asyncio.to_thread(stopped.wait, WAIT)


async def test_the_sse_relay_adds_the_conversation_to_status_and_done_only():
    events = [
        ChatEvent("status", {"message": "Searching"}),
        ChatEvent("token", {"text": "Hi"}),
        ChatEvent("done", {"content": "Hi"}),
    ]

    bridge = _bridge(lambda: iter(events), threading.Event())
    texts = [text async for text in relay(bridge, {"c": "1"})]

    assert texts == [
        'event: status\ndata: {"message":"Searching","c":"1"}\n\n',
        'event: token\ndata: {"text":"Hi"}\n\n',
        'event: done\ndata: {"content":"Hi","c":"1"}\n\n',
    ]


async def test_the_place_is_free_again_before_the_end_is_seen():
    pool = AnswerPool(1)
    events = [ChatEvent("token", {"text": "Hi"})]

    async with EventBridge(lambda: iter(events), threading.Event(), pool.reserve()) as bridge:
        assert [event async for event in bridge] == events
        assert pool.in_use == 0
        pool.reserve().release()  # the next answer can start at once


async def test_an_answer_nobody_reads_still_ends_and_frees_its_place():
    pool = AnswerPool(1)
    bridge = EventBridge(
        lambda: iter([ChatEvent("token", {"text": "Hi"})]), threading.Event(), pool.reserve()
    )

    bridge.start()  # what the REST route does before the client reads anything

    assert await asyncio.to_thread(bridge.finished.wait, WAIT)
    assert pool.in_use == 0
