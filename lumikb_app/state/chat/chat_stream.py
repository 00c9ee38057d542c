"""Plumbing between the chat service's blocking generator and the page's background event.

The generator runs to the end on a thread of its own (its database session never changes
threads) and hands each event to the event loop through an asyncio queue; None marks the end.
`should_stop` is called on that thread, so it reads a `threading.Event` from the registry here,
keyed by stream id, never a state var (those are not thread-safe).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator

from lumikb_app.domain.chat import ChatEvent, ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied

log = logging.getLogger(__name__)

FAILED = "The answer could not be generated. Try again in a moment."

_STOP_FLAGS: dict[str, threading.Event] = {}


def stop_flag(stream_id: str) -> threading.Event:
    """The stream's stop flag, created on first use."""
    return _STOP_FLAGS.setdefault(stream_id, threading.Event())


def request_stop(stream_id: str) -> None:
    flag = _STOP_FLAGS.get(stream_id)
    if flag is not None:
        flag.set()


def forget(stream_id: str) -> None:
    _STOP_FLAGS.pop(stream_id, None)


def pump(make_events: Callable[[], Iterator[ChatEvent]], push: Callable) -> None:
    """Run the service's generator to the end on this thread; None marks the end."""
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


def start(make_events: Callable[[], Iterator[ChatEvent]]) -> asyncio.Queue[ChatEvent | None]:
    """Run `make_events` on a new thread; its events arrive on the returned queue."""
    queue: asyncio.Queue[ChatEvent | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def push(event: ChatEvent | None) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)

    threading.Thread(target=pump, args=(make_events, push), daemon=True, name="chat-answer").start()
    return queue


class AnswerSoFar:
    """What a stream has produced so far (kept by the background task, not in the state)."""

    def __init__(self) -> None:
        self.text = ""
        self.citations: list[dict] = []
        self.status = ""
        self.error = ""
        self.error_stored = False  # the service kept the failed answer: it shows in the thread

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
            self.text = str(event.data.get("content", self.text))
            self.citations = list(event.data.get("citations") or self.citations)
