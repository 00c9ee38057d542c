"""Simulated users for bench/load.py, over the protocols the browser and scripts use.

One user: signs in through the login form post, opens one Reflex websocket with the session
cookie (tests/e2e/reflex_socket.py) and loads the home page, then repeats actions with a think
time between them until the level ends. Actions and what each one times:

- sign-in: the form post; "connect+hydrate": websocket connect until the state snapshot;
  "sign-in to home shown": form post until the home page's on_load handlers are done;
- page load: a full load (hydrate) of /, /search, /chat or the KB page until its on_load
  handlers are done; "navigation (on_load)": an in-app move to the page an action needs (the
  browser sends the new page's on_load only, and follows the app's redirects the same way);
- UI search: the search form's submit until the results arrive ("search shown");
- chat: the question's send until the first answer text ("first answer text"), and until the
  answer is complete;
- REST search: `POST /api/v1/search` with the user's personal API token;
- upload: a small Markdown file posted to Reflex's upload endpoint from the KB page (a few per
  level), until the page shows it stored and queued ("upload stored");
- a new tab: sign in again and load the home page (more sign-in samples during the load).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx

from bench.load_server import PASSWORD
from tests.e2e.reflex_socket import ROOT_STATE, ReflexSocket

THINK_SECONDS = (2.0, 5.0)
ACTION_TIMEOUT_SECONDS = 60.0
HYDRATED = '"is_hydrated_rx_state_": true'
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
FIRST_TEXT = '"stream_has_text_rx_state_": true'
ANSWER_DONE = '"streaming_rx_state_": false'
# Weights of the actions a signed-in user repeats.
MIX = {"ui_search": 35, "chat": 25, "rest_search": 20, "page": 12, "new_tab": 6, "upload": 2}
MAX_UPLOADS_PER_LEVEL = 8
QUERIES = [
    "generators and yield", "list comprehensions", "augmented assignment operators",
    "nested scopes", "integer division operator", "docstring conventions", "source code encoding",
    "iterators protocol", "enumerate builtin", "boolean type", "logging package", "set type",
    "unicode strings", "import statement", "maximum line length", "release schedule",
    "rich comparisons", "garbage collection of cycles", "the zen of python", "PEP workflow",
]  # fmt: skip
QUESTIONS = [
    "What does the style guide say about indentation?", "How do simple generators work?",
    "Why was the integer division operator changed?", "What is a PEP and who decides on it?",
    "How are nested scopes resolved?", "What does enumerate return?", "How should docstrings be written?",
    "How is the source encoding of a file declared?", "What are rich comparisons?",
]  # fmt: skip


def _names() -> dict[str, str]:
    from lumikb_app.state.chat.chat import ChatState
    from lumikb_app.state.documents.documents import DocumentsState
    from lumikb_app.state.retrieval.search import SearchState

    return {
        "search": f"{SearchState.get_full_name()}.submit",
        "chat": f"{ChatState.get_full_name()}.send",
        "upload": f"{DocumentsState.get_full_name()}.receive_upload",
    }


def _query(path: str) -> dict[str, str]:
    """The router query the browser sends: the URL's, and a dynamic route's argument (Next.js)."""
    page, _, search = path.partition("?")
    query = dict(part.split("=", 1) for part in search.split("&") if "=" in part)
    return query | ({"kb_id": page.rsplit("/", 1)[1]} if page.startswith("/kb/") else {})


class ActionFailed(Exception):
    pass


@dataclass
class Stats:
    """Seconds per action and failures per action, for one level."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    uploads: int = 0

    def fail(self, action: str, reason: str) -> None:
        self.errors[action] += 1
        self.reasons[f"{action}: {reason[:120]}"] += 1


@dataclass
class Run:
    """What every user of a level shares."""

    base_url: str
    kb_id: str
    stats: Stats
    stop_at: float
    names: dict[str, str] = field(default_factory=_names)


class User:
    """One person: their own HTTP client (cookies are per browser) and one tab at a time."""

    def __init__(self, run: Run, email: str, api_token: str) -> None:
        self.run, self.stats, self.email, self.api_token = run, run.stats, email, api_token
        self.http = httpx.AsyncClient(base_url=run.base_url, timeout=ACTION_TIMEOUT_SECONDS)
        self.tab: ReflexSocket | None = None
        self.cookie = ""
        self.path = "/"

    async def timed(self, action: str, coroutine, started: float | None = None) -> object:
        started = time.perf_counter() if started is None else started
        try:
            async with asyncio.timeout(ACTION_TIMEOUT_SECONDS):
                result = await coroutine
        except TimeoutError:
            self.stats.fail(action, "timeout")
            raise ActionFailed(action) from None
        except Exception as error:  # a failed action is a figure of the run, not its end
            self.stats.fail(action, f"{type(error).__name__}: {error}")
            raise ActionFailed(action) from error
        self.stats.seconds[action].append(time.perf_counter() - started)
        return result

    async def until(self, *markers: str) -> str:
        """The JSON of the first update holding one of `markers`; a redirect on the way is
        followed as the browser follows it (an in-app navigation)."""
        assert self.tab is not None
        while True:
            update = await self.tab.next_update(ACTION_TIMEOUT_SECONDS)
            for event in update.get("events") or []:
                if event.get("name") == "_redirect":
                    await self.navigate(event["payload"]["path"], wait=False)
            text = json.dumps(update)
            if any(marker in text for marker in markers):
                return text

    def drain(self) -> None:
        while self.tab is not None and not self.tab.updates.empty():
            self.tab.updates.get_nowait()

    async def sign_in(self) -> str:
        self.http.cookies.clear()
        response = await self.http.post(
            "/auth/login",
            data={"email": self.email, "password": PASSWORD, "next": "/"},
            headers={"Origin": self.run.base_url},
        )
        cookie = response.cookies.get("lumikb_session")
        if response.status_code != 303 or not cookie:
            raise ActionFailed(f"sign-in answered {response.status_code}")
        return cookie

    async def open_tab(self) -> None:
        """Sign in, connect and load the home page, as a person opening the app."""
        await self.close_tab()
        started = time.perf_counter()
        self.cookie = await self.timed("sign-in", self.sign_in())
        self.tab, self.path = ReflexSocket(self.run.base_url, self.cookie), "/"

        async def connect_and_hydrate() -> None:
            await self.tab.__aenter__()
            await self.tab.hydrate("/")

        await self.timed("connect+hydrate", connect_and_hydrate())
        await self.timed("sign-in to home shown", self.until(HYDRATED), started)

    async def close_tab(self) -> None:
        if self.tab is not None and self.tab.client.connected:
            with contextlib.suppress(Exception):  # closing is not timed; a hang must not stall
                async with asyncio.timeout(ACTION_TIMEOUT_SECONDS):
                    await self.tab.__aexit__()
        self.tab = None

    async def load_page(self, path: str) -> None:
        """A full page load (reload, opened link): hydrate, until the on_load handlers are done."""
        assert self.tab is not None
        self.drain()
        await self.tab.send(f"{ROOT_STATE}.hydrate_and_load", {}, path, _query(path))
        await self.until(HYDRATED)
        self.path = path

    async def navigate(self, path: str, wait: bool = True) -> None:
        """An in-app navigation (a link, a redirect): the browser keeps its state and asks for
        the new page's on_load handlers only."""
        assert self.tab is not None
        self.path = path
        await self.tab.send(ON_LOAD, {}, path, _query(path))
        if wait:
            await self.until(HYDRATED)

    async def go_to(self, path: str) -> None:
        if self.path != path:
            self.drain()
            await self.timed("navigation (on_load)", self.navigate(path))

    async def ui_search(self) -> None:
        await self.go_to("/search")
        self.drain()
        query = random.choice(QUERIES)
        await self.tab.send(self.run.names["search"], {"form_data": {"q": query}}, "/search")
        answered = f'"searched_query_rx_state_": {json.dumps(query)}'
        shown = await self.timed("search shown", self.until(answered))
        if '"error_rx_state_": ""' not in shown:
            self.stats.fail("search shown", "the page shows an error")

    async def chat(self) -> None:
        await self.go_to("/chat")
        self.drain()
        started = time.perf_counter()
        question = f"{random.choice(QUESTIONS)} ({random.randrange(10**6)})"
        await self.tab.send(self.run.names["chat"], {"form_data": {"question": question}}, "/chat")
        first = await self.timed("first answer text", self.until(FIRST_TEXT, ANSWER_DONE))
        if FIRST_TEXT not in first:
            self.stats.fail("first answer text", "the answer ended without text")
            return
        if ANSWER_DONE not in first:
            await self.timed("answer complete (from send)", self.until(ANSWER_DONE), started)

    async def rest_search(self) -> None:
        response = await self.http.post(
            "/api/v1/search",
            json={"query": random.choice(QUERIES)},
            headers={"Authorization": f"Bearer {self.api_token}"},
        )
        if response.status_code != 200:
            raise ActionFailed(f"REST search answered {response.status_code}")

    async def upload(self, n: int) -> None:
        await self.go_to(f"/kb/{self.run.kb_id}")
        self.drain()
        text = f"# Load note {n}\n\nUploaded during the load run at {time.time()}.\n".encode()
        response = await self.http.post(
            "/_upload",
            files={"files": (f"load-note-{n}-{time.time_ns()}.md", text, "text/markdown")},
            data={"__reflex_event_args": json.dumps({"batch_id": f"load{n}"})},
            headers={
                "Origin": self.run.base_url, "Cookie": f"lumikb_session={self.cookie}",
                "Reflex-Client-Token": self.tab.token,
                "Reflex-Event-Handler": self.run.names["upload"],
            },
        )  # fmt: skip
        if response.status_code not in (200, 202):
            raise ActionFailed(f"upload answered {response.status_code}: {response.text[:80]}")
        shown = await self.until('"uploading_rx_state_": false')
        if '"upload_error_rx_state_": ""' not in shown:
            raise ActionFailed(f"the page shows an upload error: {shown[-160:]}")

    async def act(self) -> None:
        action = random.choices(list(MIX), weights=list(MIX.values()))[0]
        if action == "upload" and self.stats.uploads >= MAX_UPLOADS_PER_LEVEL:
            action = "rest_search"
        if action == "ui_search":
            await self.ui_search()
        elif action == "chat":
            await self.chat()
        elif action == "rest_search":
            await self.timed("REST search", self.rest_search())
        elif action == "page":
            path = random.choice(["/", "/search", "/chat", f"/kb/{self.run.kb_id}"])
            await self.timed("page load", self.load_page(path))
        elif action == "upload":
            self.stats.uploads += 1
            await self.timed("upload stored", self.upload(self.stats.uploads))
        else:
            await self.open_tab()

    async def simulate(self) -> None:
        """Until the level ends; a failed action is counted and the user goes on."""
        try:
            while time.monotonic() < self.run.stop_at:
                try:
                    if self.tab is None or not self.tab.client.connected:
                        await self.open_tab()
                    await asyncio.sleep(random.uniform(*THINK_SECONDS))
                    await self.act()
                except ActionFailed:
                    await asyncio.sleep(random.uniform(*THINK_SECONDS))
                except Exception as error:
                    self.stats.fail("websocket", f"{type(error).__name__}: {error}")
                    self.tab = None
                    await asyncio.sleep(random.uniform(*THINK_SECONDS))
        finally:
            await self.close_tab()
            await self.http.aclose()
