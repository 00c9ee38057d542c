"""Every Reflex event handler is a public endpoint: a client that opens the websocket can call any
of them with anything. Against the served app, every registered handler gets hostile arguments
(near 1 MB of text, a huge list, a nested object, None, a nested list, the wrong type) from an
anonymous tab and from a signed-in READ member: each is refused, the state they see is the same
afterwards, and /health, polled all along, keeps answering."""

from __future__ import annotations

import functools
import inspect
import json
import re
import statistics
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest

from lumikb_app.state.event_rules import registered_handlers
from tests.e2e.conftest import SeededApp
from tests.e2e.reflex_socket import ReflexSocket, run, session_cookie

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the first test may wait for a build

REFUSED = "This request was refused"
READER_EMAIL = "guard-reader@example.com"
READER_PASSWORD = "reads and never writes"
HEALTH_TIMEOUT_SECONDS = 10  # a liveness bound: a handler hogging the event loop blows it
NESTING = 100


def _nested(empty, depth: int):
    value = empty
    for _ in range(depth):
        value = {"a": value} if isinstance(empty, dict) else [value]
    return value


# Each value, given the handler's parameter count; the big ones share the websocket's 1 MB cap.
HOSTILE: dict[str, Callable[[int], object]] = {
    "900 KB of text": lambda params: "x" * (900_000 // params),
    "a huge list": lambda params: list(range(100_000 // params)),
    "a nested object": lambda _: _nested({}, NESTING),
    "None": lambda _: None,
    "a nested list": lambda _: _nested([], NESTING),
}


@functools.cache
def _handlers() -> dict[str, Callable]:
    """Every event the app registers (its states' and Reflex's own), by full event name.
    Reflex keeps its registry in a context variable: call this first outside asyncio.run."""
    import lumikb_app.lumikb_app  # noqa: F401  (defines and registers every state)

    return registered_handlers()


def _handler(suffix: str) -> str:
    return next(name for name in _handlers() if name.endswith(suffix))


def _payloads(fn: Callable) -> Iterator[tuple[str, dict]]:
    params = list(inspect.signature(fn).parameters.values())[1:]
    all_optional = all(p.default is not inspect.Parameter.empty for p in params)
    for label, make in HOSTILE.items():
        value = make(max(1, len(params)))
        payload = {p.name: value for p in params}
        if not params or (value is None and all_optional):
            payload["surprise"] = value
        yield label, payload
    wrong = {p.name: 12345 if p.annotation in (str, "str") else "12345" for p in params}
    yield "the wrong type", wrong or {"surprise": 12345}


class HealthProbe:
    """Polls /health on its own thread; every answer's status and time is kept."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/health"
        self.timings: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=HEALTH_TIMEOUT_SECONDS) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:  # a timeout: the server did not answer in time
                self.failures.append(repr(error))
                continue
            self.timings.append(time.monotonic() - started)
            if status != 200:  # the embedded install stays healthy, not merely answering
                self.failures.append(f"status {status}")
            self._stop.wait(0.05)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


async def _make_reader(app: SeededApp) -> None:
    """The admin creates a member and a knowledge base where she has READ, over the socket."""
    admin = session_cookie(app.base_url, app.admin_email, app.admin_password)
    async with ReflexSocket(app.base_url, admin) as tab:
        await tab.hydrate("/admin/users")
        await tab.settle()
        form = {"email": READER_EMAIL, "name": "Guard Reader", "password": READER_PASSWORD}
        await tab.send(_handler("admin_users_state.create_user"), {"form": form}, "/admin/users")
        await tab.until(f"Created {READER_EMAIL}")
        await tab.hydrate("/")
        await tab.settle()
        await tab.send(_handler("new_kb_state.create_kb"), {"form_data": {"name": "Guard KB"}})
        redirect = await tab.until('"/kb/')
        kb_id = re.search(r"/kb/([0-9a-f-]{36})", str(redirect[-1]))
        assert kb_id, redirect
        path, query = f"/kb/{kb_id[1]}/settings", {"kb_id": kb_id[1]}
        await tab.hydrate(path, query)
        await tab.settle()
        add = {"form_data": {"email": READER_EMAIL}}
        await tab.send(_handler("kb_settings_state.add_member"), add, path, query)
        await tab.until(f"{READER_EMAIL} now has READ access")


async def _snapshot(tab: ReflexSocket) -> dict:
    """What the tab's state holds on the home page, after its page-load events have run."""
    snapshot = await tab.hydrate("/")
    await tab.settle()
    return snapshot


async def _barrage(base_url: str, cookie: str | None) -> int:
    """Send every handler every hostile payload; each must be refused and change nothing."""
    sent = 0
    async with ReflexSocket(base_url, cookie) as tab:
        await _snapshot(tab)  # the first page load fills the state (e.g. the sidebar)
        before = await _snapshot(tab)
        for name, fn in _handlers().items():
            for label, payload in _payloads(fn):
                await tab.send(name, payload)
                answers = await tab.until(REFUSED, f"{name} with {label}")
                assert not any(a.get("delta") for a in answers), (name, label, answers)
                sent += 1
        assert await _snapshot(tab) == before
        await _still_works(tab, signed_in=cookie is not None)
    return sent


async def _still_works(tab: ReflexSocket, *, signed_in: bool) -> None:
    """Well-formed events still pass the guard, or meet the sign-in page when anonymous."""
    await tab.send(_handler("quick_search_state.open_palette"), {})
    answer = await tab.next_update()
    if signed_in:
        changed = {
            k.split("_rx_state_")[0]: v for s in answer["delta"].values() for k, v in s.items()
        }
        assert changed.get("palette_open") is True, answer
        return
    assert "/login" in str(answer.get("events")) and not answer.get("delta")
    announced = {"batch_id": "b1", "picked": [{"name": "a.pdf", "size": 10}]}
    await tab.send(_handler("documents_state.expect_files"), announced)
    answer = await tab.next_update()
    assert "/login" in str(answer.get("events")) and not answer.get("delta")


def test_every_handler_refuses_hostile_arguments_and_health_stays_up(app_server: SeededApp):
    assert len(_handlers()) > 100
    run(_make_reader(app_server))
    reader = session_cookie(app_server.base_url, READER_EMAIL, READER_PASSWORD)
    started = time.monotonic()
    with HealthProbe(app_server.base_url) as health:
        sent = {
            who: run(_barrage(app_server.base_url, cookie))
            for who, cookie in (("anonymous", None), ("READ member", reader))
        }
    took = time.monotonic() - started
    timings = sorted(health.timings)
    print(
        f"\nhostile events refused: {sent} in {took:.1f} s; /health answered {len(timings)} "
        f"times, median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {timings[-1] * 1000:.0f} ms"
    )
    assert health.failures == []
    assert len(timings) >= 3  # /health was really asked while the events were handled
    assert all(count >= 6 * 100 for count in sent.values())  # every handler, every payload


async def _tokens_shown(tab: ReflexSocket) -> list:
    await tab.send(_handler("account_state.load_tokens"), {}, "/account")
    update = await tab.next_update()
    return [v for s in update["delta"].values() for k, v in s.items() if k.startswith("tokens")]


async def _create_with_expiry(app: SeededApp, choices: list[str]) -> list[str]:
    """What the account page shows after each token request; the token list must not change."""
    grace = session_cookie(app.base_url, app.email, app.password)
    shown = []
    async with ReflexSocket(app.base_url, grace) as tab:
        await tab.hydrate("/account")
        await tab.settle()
        before = await _tokens_shown(tab)
        for choice in choices:
            await tab.send(_handler("account_state.clear_messages"), {}, "/account")
            await tab.settle()
            form = {"token_name": f"expires {choice}", "token_expiry": choice}
            await tab.send(_handler("account_state.create_token"), {"form_data": form}, "/account")
            shown.append(json.dumps(await tab.until("token_error")))
        assert await _tokens_shown(tab) == before
    return shown


def test_a_token_expiry_the_page_does_not_offer_is_refused(app_server: SeededApp):
    """ "-5", "1.5" and "abc" used to create tokens that never expire."""
    assert len(_handlers()) > 100
    shown = run(_create_with_expiry(app_server, ["-5", "1.5", "abc", ""]))
    assert all("Choose when the token expires" in answer for answer in shown)
    assert not any("lkb_" in answer for answer in shown)  # no token was shown: none was made
