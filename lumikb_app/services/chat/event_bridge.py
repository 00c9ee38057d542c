"""The one bridge from the chat service's blocking event generator to asyncio.

The generator (retrieval, the model call, the database writes) blocks, so it runs to its end on
a thread of its own (its database session never changes threads) and hands each event to the
event loop through a queue. The REST route (api/sse.py) and the chat page (state/chat) both read
it through `EventBridge`, so they end and fail the same way:

- ChatInputError or PermissionDenied becomes an error event with its message (meant for a
  person); anything else is logged and becomes an error event with the generic `FAILED`;
- the end is always marked (None on the queue, the end of `async for`).

The consumer owns a stop flag that the generator polls (`should_stop=stop.is_set`). Leaving the
`async with` block (done, closed or cancelled), or the event loop closing under a running
thread, sets it: the generator then stores the answer so far as "stopped", and the thread runs
it to its end on its own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied

log = logging.getLogger(__name__)

FAILED = "The answer could not be generated. Try again in a moment."

MakeEvents = Callable[[], Iterator[ChatEvent]]


def pump(make_events: MakeEvents, push: Callable[[ChatEvent | None], None]) -> None:
    """Run the generator to its end on this thread, pushing each event; None marks the end."""
    try:
        for event in make_events():
            push(event)
    except (ChatInputError, PermissionDenied) as error:
        push(ChatEvent("error", {"message": str(error)}))
    except Exception:
        log.exception("chat answer failed")
        push(ChatEvent("error", {"message": FAILED}))
    finally:
        push(None)


class EventBridge:
    """`make_events()` run on its own thread; its events read with `next` or `async for`.

    Use it as `async with EventBridge(make_events, stop) as events:`; the thread starts on entry
    and `stop` is set on exit.
    """

    def __init__(
        self, make_events: MakeEvents, stop: threading.Event, *, name: str = "chat-answer"
    ) -> None:
        self.stop = stop
        self._make_events = make_events
        self._queue: asyncio.Queue[ChatEvent | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ended = False
        self.thread = threading.Thread(target=self._run, daemon=True, name=name)

    async def __aenter__(self) -> EventBridge:
        self._loop = asyncio.get_running_loop()
        self.thread.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop.set()  # nothing left to do once the generator has ended

    def _run(self) -> None:
        pump(self._make_events, self._push)

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
