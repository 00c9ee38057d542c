"""The chat page's side of a stream: the stop flags and the answer as it grows.

The worker thread and its queue are services/chat/event_bridge.py's. `should_stop` is called on
that thread, so it reads a `threading.Event` from the registry here, keyed by stream id, never a
state var (those are not thread-safe).
"""

from __future__ import annotations

import threading

from lumikb_app.domain.chat import ChatEvent
from lumikb_app.services.chat.event_bridge import FAILED

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
