"""The chat page's side of a stream (no Reflex here): the live streams, the answer as it grows,
what of it the browser has been sent, and the loop that sends it.

A live stream (its stop flag and its answer so far) is registered, by stream id, exactly while
`run_stream` runs, whichever way it ends (done, error, the page moving on, cancelled). The stop
flag is read by the answer's pool thread, so it is a `threading.Event`, never a state var.

Only what is new goes to the browser: each flush sends a `StreamTail`, the text added since the
last flush and where it goes, and the page adds it to what it holds
(ui/components/chat/streamed_text.py). Plain text that continues the last plain segment goes as
a bare string (a segment is six fields, over 100 bytes for a 4-character token). Bytes per flush
stay bounded however long the answer grows; sending the whole answer each time would cost the
square of its length.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from lumikb_app.domain.chat import ChatEvent
from lumikb_app.services.chat.answer_pool import Slot
from lumikb_app.services.chat.event_bridge import FAILED, EventBridge, MakeEvents
from lumikb_app.state.chat.chat_view import Segment, segments

FLUSH_SECONDS = 0.05
HEARTBEAT_SECONDS = 5.0  # a stream waiting on a slow model still proves it is alive this often


@dataclass
class StreamTail:
    """The browser keeps its first `start` segments and drops any after them; when `text` is
    given, the last kept segment's text becomes its first `offset` characters plus `text`; then
    `segments` are appended. Applying the same tail twice changes nothing."""

    start: int = 0
    segments: list[Segment] = field(default_factory=list)
    offset: int = 0
    text: str = ""


class AnswerSoFar:
    """What a stream has produced so far, and how much of it the browser was sent."""

    def __init__(self) -> None:
        self.text = ""
        self.citations: list[dict] = []
        self.status = ""
        self.error = ""
        self.error_stored = False  # the service kept the failed answer: it shows in the thread
        self.sent: list[Segment] = []  # every segment sent to the browser, in order
        self._sent_chars = 0  # how much of `text` those cover
        self._restart = False  # the browser must drop what it holds

    def apply(self, event: ChatEvent) -> None:
        if event.kind == "token":
            self.text += str(event.data.get("text", ""))
        elif event.kind == "citation":
            self.citations.append(dict(event.data))
        elif event.kind == "status":
            self.status = str(event.data.get("message", ""))
        elif event.kind == "error":
            self.error = str(event.data.get("message", "")) or FAILED
            self.error_stored = bool(event.data.get("message_id"))
        elif event.kind == "done":
            content = str(event.data.get("content", self.text))
            if content != self.text:  # not what was streamed: send it all again
                self.text, self.sent, self._sent_chars, self._restart = content, [], 0, True
            self.citations = list(event.data.get("citations") or self.citations)

    def take_tail(self) -> StreamTail | None:
        """The segments of the text added since the last call (None: nothing new).

        A marker always arrives whole in one token, after its citation event, so the new text
        is split into segments on its own."""
        if self._sent_chars == len(self.text) and not self._restart:
            return None
        new = segments(self.text[self._sent_chars :], self.citations)
        tail = StreamTail(start=len(self.sent), segments=new)
        last = self.sent[-1] if self.sent and not self._restart else None
        if last is not None and last.n == 0 and new and new[0].n == 0:  # the text goes on
            tail = StreamTail(len(self.sent), new[1:], offset=len(last.text), text=new[0].text)
            self.sent[-1] = dataclasses.replace(last, text=last.text + new[0].text)
        self.sent += tail.segments
        self._sent_chars, self._restart = len(self.text), False
        return tail

    def full_tail(self) -> StreamTail:
        """Everything sent so far, for a browser that missed some of it."""
        return StreamTail(start=0, segments=list(self.sent))


@dataclass
class LiveStream:
    stop: threading.Event = field(default_factory=threading.Event)
    answer: AnswerSoFar = field(default_factory=AnswerSoFar)


_LIVE: dict[str, LiveStream] = {}


@contextmanager
def _registered(stream_id: str) -> Iterator[LiveStream]:
    live = _LIVE.setdefault(stream_id, LiveStream())
    try:
        yield live
    finally:
        _LIVE.pop(stream_id, None)


def live_stream(stream_id: str) -> LiveStream | None:
    return _LIVE.get(stream_id)


def live_count() -> int:
    return len(_LIVE)


def request_stop(stream_id: str) -> None:
    live = _LIVE.get(stream_id)
    if live is not None:
        live.stop.set()


# Called with the live stream about every FLUSH_SECONDS; False: the page has moved on, stop.
Flush = Callable[[LiveStream], Awaitable[bool]]


async def run_stream(
    stream_id: str,
    make_events: Callable[[threading.Event], MakeEvents],
    slot: Slot,
    flush: Flush,
) -> AnswerSoFar:
    """Write one answer on `slot` (`make_events(stop_flag)`), flushing it to the page as it
    grows; returns it once the answer has ended or the page has moved on."""
    with _registered(stream_id) as live:
        async with EventBridge(make_events(live.stop), live.stop, slot) as bridge:
            await _follow(bridge, live, flush)
        return live.answer


async def _follow(bridge: EventBridge, live: LiveStream, flush: Flush) -> None:
    last_flush, pending = 0.0, False
    while True:
        wait = HEARTBEAT_SECONDS
        if pending:
            wait = max(0.0, FLUSH_SECONDS - (time.monotonic() - last_flush))
        try:
            event = await bridge.next(wait)
        except TimeoutError:
            event = ChatEvent("status", {"message": live.answer.status})  # flush or heartbeat
        if event is None:
            return
        live.answer.apply(event)
        pending = True
        if event.kind != "token" or time.monotonic() - last_flush >= FLUSH_SECONDS:
            if not await flush(live):
                return
            last_flush, pending = time.monotonic(), False
