"""Relay the chat service's blocking event generator to a client as server-sent events.

The pool place, the error mapping and the stop flag are services/chat/event_bridge.py's, the
same bridge the chat page reads: when the client goes away, Starlette closes this generator,
which sets the stop flag; the generator then stores the answer so far as "stopped". The route
starts the bridge before it answers, so an answer whose client left before reading any of it
still ends and frees its place.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from lumikb_app.services.chat.event_bridge import EventBridge


def format_event(kind: str, data: dict[str, Any]) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"event: {kind}\ndata: {payload}\n\n"


async def relay(bridge: EventBridge, extra: dict[str, Any]) -> AsyncIterator[str]:
    """Each event as SSE text; `extra` is merged into the status and done events' data."""
    async with bridge:
        async for event in bridge:
            data = {**event.data, **extra} if event.kind in ("status", "done") else event.data
            yield format_event(event.kind, data)
