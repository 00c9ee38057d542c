"""A websocket client that speaks the Reflex frontend's protocol, for sending events no browser
would: socket.io at /_event (namespace /_event), a per-tab `token` in the connect URL, the
session cookie in the handshake, and each event as {name, payload, router_data}. The server
answers with state updates {delta, events} on the same "event" channel.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import socketio

T = TypeVar("T")
NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
UPDATE_TIMEOUT_SECONDS = 30


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end from sync test code, even where Playwright's sync API already
    runs an event loop on this thread: on a thread of its own, with this thread's context."""
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coroutine).result()


def session_cookie(base_url: str, email: str, password: str) -> str:
    """Sign in through the real login form post; the session token from its cookie."""
    response = httpx.post(
        f"{base_url}/auth/login",
        data={"email": email, "password": password, "next": "/"},
        headers={"Origin": base_url},
        follow_redirects=False,
    )
    token = response.cookies.get("lumikb_session")
    assert response.status_code == 303 and token, f"sign-in failed: {response.status_code}"
    return token


def router_data(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    return {"pathname": path.split("?")[0], "asPath": path, "query": query or {}}


class ReflexSocket:
    """One browser tab's websocket; `cookie` is the session token (None: anonymous)."""

    def __init__(self, base_url: str, cookie: str | None = None) -> None:
        self.base_url = base_url
        self.headers = {"Origin": base_url}
        if cookie:
            self.headers["Cookie"] = f"lumikb_session={cookie}"
        self.token = str(uuid.uuid4())
        self.updates: asyncio.Queue[dict] = asyncio.Queue()
        self.client = socketio.AsyncClient(reconnection=False)
        self.client.on("event", self._received, namespace=NAMESPACE)

    async def _received(self, data: Any) -> None:
        await self.updates.put(json.loads(data) if isinstance(data, str) else data)

    async def __aenter__(self) -> ReflexSocket:
        await self.client.connect(
            f"{self.base_url}?token={self.token}",
            headers=self.headers,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path=NAMESPACE,
        )
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.client.disconnect()

    async def send(
        self, name: str, payload: Any, path: str = "/", query: dict[str, str] | None = None
    ) -> None:
        event = {"name": name, "payload": payload, "router_data": router_data(path, query)}
        await self.client.emit("event", event, namespace=NAMESPACE)

    async def hydrate(self, path: str = "/", query: dict[str, str] | None = None) -> dict:
        """Load a page as the browser does; the state snapshot (the page's on_load runs after)."""
        await self.send(f"{ROOT_STATE}.hydrate_and_load", {}, path, query)
        return (await self.next_update())["delta"]

    async def next_update(self, timeout: float = UPDATE_TIMEOUT_SECONDS) -> dict:
        return await asyncio.wait_for(self.updates.get(), timeout)

    async def until(
        self, text: str, sent: str = "", timeout: float = UPDATE_TIMEOUT_SECONDS
    ) -> list[dict]:
        """The updates received up to and including the first whose JSON contains `text`."""
        seen: list[dict] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    seen.append(await self.updates.get())
                    if text in json.dumps(seen[-1]):
                        return seen
        except TimeoutError:
            raise AssertionError(f"{sent}: no {text!r} in {timeout} s, only {seen}") from None

    async def settle(self, quiet_seconds: float = 1.0) -> list[dict]:
        """Every update until none has arrived for `quiet_seconds`."""
        seen: list[dict] = []
        while True:
            try:
                seen.append(await asyncio.wait_for(self.updates.get(), quiet_seconds))
            except TimeoutError:
                return seen
