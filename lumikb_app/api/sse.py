"""Relay a blocking chat event generator to a client as server-sent events.

The generator (retrieval, the model call) blocks, so one worker thread drives it and hands each
event to the event loop. When the client goes away, the stop flag tells the generator to finish
(it stores the answer so far as "stopped"); the thread then runs it to its end on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from lumikb_app.domain.chat import ChatEvent

log = logging.getLogger(__name__)
BROKEN = "The answer could not be completed. Try again."
_END = object()


def format_event(kind: str, data: dict[str, Any]) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"event: {kind}\ndata: {payload}\n\n"


def _drive(events: Iterator[ChatEvent], hand_over) -> None:
    try:
        for event in events:
            hand_over(event)
    except Exception:
        log.exception("chat stream failed")
        hand_over(ChatEvent("error", {"message": BROKEN}))
    finally:
        hand_over(_END)


async def relay(
    events: Iterator[ChatEvent], stop: threading.Event, extra: dict[str, Any]
) -> AsyncIterator[str]:
    """Each event as SSE text; `extra` is merged into the status and done events' data."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def hand_over(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone: nobody listens any more
            stop.set()

    worker = threading.Thread(target=_drive, args=(events, hand_over), daemon=True)
    worker.start()
    try:
        while (item := await queue.get()) is not _END:
            data = {**item.data, **extra} if item.kind in ("status", "done") else item.data
            yield format_event(item.kind, data)
    finally:
        stop.set()
