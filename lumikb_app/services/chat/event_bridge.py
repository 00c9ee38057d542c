"""The one bridge from the chat service's blocking event generator to asyncio.

The generator (retrieval, the model call, the database writes) blocks, so it runs to its end on
a place of the shared answer pool (services/chat/answer_pool.py: its database work never
changes threads) and hands each event to the event loop through a queue. The REST route
(api/sse.py) and the chat page (state/chat) both read it through `EventBridge`, so they end and
fail the same way:

- ChatInputError or PermissionDenied becomes an error event with its message (meant for a
  person); anything else is logged and becomes an error event with the generic `FAILED`;
- the end is always marked (None on the queue, the end of `async for`), after the pool place
  is free again, so a caller that saw the end can start another answer at once.

The consumer owns a stop flag that the generator polls (`should_stop=stop.is_set`). Leaving the
`async with` block (done, closed or cancelled), or the event loop closing under running work,
sets it: the generator then stores the answer so far as "stopped", and its place runs it to its
end on its own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat.answer_pool import Slot

log = logging.getLogger(__name__)

FAILED = "The answer could not be generated. Try again in a moment."

MakeEvents = Callable[[], Iterator[ChatEvent]]


def pump(make_events: MakeEvents, push: Callable[[ChatEvent], None]) -> None:
    """Run the generator to its end on this thread, pushing each event; a failure becomes an
    error event."""
    try:
        for event in make_events():
            push(event)
    except (ChatInputError, PermissionDenied) as error:
        push(ChatEvent("error", {"message": str(error)}))
    except Exception:
        log.exception("chat answer failed")
        push(ChatEvent("error", {"message": FAILED}))


class EventBridge:
    """`make_events()` run on a reserved pool place; its events read with `next` or `async for`.

    Use it as `async with EventBridge(make_events, stop, slot) as events:`; the work starts on
    entry (or earlier, with `start`) and `stop` is set on exit.
    """

    def __init__(self, make_events: MakeEvents, stop: threading.Event, slot: Slot) -> None:
        self.stop = stop
        self.finished = threading.Event()  # the work has ended and its place is free
        self._make_events = make_events
        self._slot = slot
        self._queue: asyncio.Queue[ChatEvent | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ended = False

    def start(self) -> None:
        """Start the work now (once): it then runs to its end even if nobody reads it."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._slot.run(self._work, then=self._end)

    async def __aenter__(self) -> EventBridge:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop.set()  # nothing left to do once the generator has ended

    def _work(self) -> None:
        pump(self._make_events, self._push)

    def _end(self) -> None:
        self.finished.set()
        self._push(None)

    def _push(self, event: ChatEvent | None) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, event)
        except RuntimeError:  # the event loop is closed: nobody listens any more
            self.stop.set()

    async def next(self, timeout: float | None = None) -> ChatEvent | None:
        """The next event, or None once the generator has ended.

        Raises TimeoutError when nothing came within `timeout` seconds (no event is lost).
        """
        if self._ended:
            return None
        event = await asyncio.wait_for(self._queue.get(), timeout)
        self._ended = event is None
        return event

    def __aiter__(self) -> EventBridge:
        return self

    async def __anext__(self) -> ChatEvent:
        event = await self.next()
        if event is None:
            raise StopAsyncIteration
        return event
