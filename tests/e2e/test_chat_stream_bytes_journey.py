"""What a streamed answer costs on the websocket: a tab asks the served app (fake/paced model) a
cited question over the same socket.io protocol as the browser, and every update it receives
while the answer is written is counted. The page is sent each new piece once (the tail), so the
whole stream costs about the answer's text once, where sending the answer so far on each flush
would cost the sum of every prefix; the test prints both figures."""

from __future__ import annotations

import functools
import json

import pytest

from lumikb_app.state.event_rules import registered_handlers
from tests.e2e.conftest import SeededApp
from tests.e2e.reflex_socket import ReflexSocket, run, session_cookie

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

QUESTION = "How are release builds signed?"  # cited, paced: a few seconds of writing
QUIET_SECONDS = 4.0  # longer than any pause of the paced model: the answer has ended


@functools.cache
def _send_event() -> str:
    import lumikb_app.lumikb_app  # noqa: F401  (registers every state)

    return next(name for name in registered_handlers() if name.endswith("chat_state.send"))


def _vars(update: dict) -> dict:
    return {
        key.split("_rx_state_")[0]: value
        for values in update.get("delta", {}).values()
        for key, value in values.items()
    }


async def _answer_updates(base_url: str, cookie: str, event: str) -> list[dict]:
    async with ReflexSocket(base_url, cookie) as tab:
        await tab.hydrate("/chat")
        await tab.settle(2)
        await tab.send(event, {"form_data": {"question": QUESTION}}, "/chat")
        return await tab.settle(QUIET_SECONDS)


EMPTY = {"start": 0, "segments": [], "offset": 0, "text": ""}


def _page_applies(held: list[dict], tail: dict) -> list[dict]:
    """What the page's hook does with a tail (ui/components/chat/streamed_text.py)."""
    kept = held[: tail["start"]]
    if tail["text"]:
        kept[-1] = {**kept[-1], "text": kept[-1]["text"][: tail["offset"]] + tail["text"]}
    return kept + tail["segments"]


def _wire(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode())


def test_a_streamed_answer_costs_its_text_about_once_on_the_websocket(app_server: SeededApp):
    event = _send_event()  # outside asyncio.run: Reflex keeps its registry in a context var
    cookie = session_cookie(app_server.base_url, app_server.email, app_server.password)
    updates = run(_answer_updates(app_server.base_url, cookie, event))

    held: list[dict] = []
    tail_bytes, whole_bytes, flushes = 0, 0, 0
    for update in updates:
        tail = _vars(update).get("stream_tail")
        if not tail or tail == EMPTY:  # none, or the view reset once the answer is stored
            continue
        held = _page_applies(held, tail)
        flushes += 1
        tail_bytes += _wire(tail)
        whole_bytes += _wire(held)  # what sending the answer so far on each flush would cost
    answer = "".join(segment["text"] for segment in held if not segment["n"])
    total = sum(_wire(update) for update in updates)
    print(
        f"\nstreamed answer: {len(answer)} chars in {flushes} flushes; websocket updates "
        f"{len(updates)}, {total} B in all; stream tails {tail_bytes} B; the answer so far "
        f"on each flush would be {whole_bytes} B"
    )
    assert flushes >= 10 and len(answer) > 100
    assert any(segment["n"] for segment in held)  # its citations arrived as badges
    assert tail_bytes < _wire(held) + 64 * flushes  # each piece once, plus its place
    assert total < 3 * _wire(held) + 20_000  # plus the question, status and stored thread
