"""What the server does for one sign-in and one first load of the home page, profiled (cProfile).

Usage: python -m bench.load_signin_profile [--runs 20]

In a throwaway embedded deployment (one user with a KB): `auth.login` as the form post runs it,
then the home page's on_load chain as Reflex runs it for a new tab: for each on_load handler of
"/", the event guard's preprocess, then the handler, on a fresh state tree carrying the session
cookie; then the tree's full snapshot (`dict()`, what hydrate sends). Worker thread hops run
inline so that cProfile sees their work; each hop and each SQL statement is
counted. Prints per step: ms per run, SQL statements and thread hops per run, and the top 10
functions by cumulative time (the asyncio runner's and this script's frames left out).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import deployment  # noqa: E402

PASSWORD = "profile the sign-in path"
counts: Counter[str] = Counter()


async def _inline_to_thread(fn, /, *args, **kwargs):
    counts["thread hops"] += 1
    return fn(*args, **kwargs)


async def _inline_run(_pool, fn, /, *args, **kwargs):
    return await _inline_to_thread(fn, *args, **kwargs)


def run_threads_inline() -> None:
    """Every hop to a worker thread runs on this one instead (and is counted)."""
    asyncio.to_thread = _inline_to_thread
    try:
        from lumikb_app.services.accounts import sign_in_threads
    except ImportError:  # before the sign-in pools
        return
    sign_in_threads._run = _inline_run


def _count_sql(*_args) -> None:
    counts["SQL statements"] += 1


def setup() -> tuple[str, object]:
    """A member with a readable KB; their email and the app."""
    from sqlalchemy import event

    from lumikb_app.container import get_container
    from lumikb_app.domain.enums import KbRole, SystemRole
    from lumikb_app.services.accounts import auth, grants
    from lumikb_app.services.knowledge_bases import kbs

    container = get_container()
    with container.db.session() as session:
        admin = auth.create_user(
            session, email="admin@example.com", display_name="Admin", password=PASSWORD,
            role=SystemRole.admin,
        )  # fmt: skip
        auth.create_user(session, email="m@example.com", display_name="Member", password=PASSWORD)
        session.commit()
        session.expunge(admin)
    kb = kbs.create_kb(admin, "Handbook")
    grants.set_grant(admin, kb.id, "m@example.com", KbRole.READ)
    event.listen(container.db.engine, "before_cursor_execute", _count_sql)
    import lumikb_app.lumikb_app as app_module

    return "m@example.com", app_module.app


async def home_page_load(app, token: str) -> None:
    """A new tab's hydrate of "/": the guard and each on_load handler, then the snapshot."""
    from lumikb_app.state.event_guard import Event, EventGuard  # Reflex's Event, as it imports it
    from tests.reflex_states import signed_in_state

    root = signed_in_state(app._state, token, "/")
    guard = EventGuard()
    for load in app.get_load_events("/"):
        handler = getattr(load, "handler", load)
        state_class = handler.state if hasattr(handler, "state") else None
        name = f"{state_class.get_full_name()}.{handler.fn.__name__}"
        if await guard.preprocess(app, root, Event(name=name, payload={})) is None:
            substate = root.get_substate(state_class.get_full_name().split("."))
            await handler.fn(substate)
    root.dict()


def profiled(label: str, runs: int, step) -> None:
    counts.clear()
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for n in range(runs):
        step(n)
    profile.disable()
    elapsed = (time.perf_counter() - started) * 1000 / runs
    per_run = ", ".join(f"{v / runs:.1f} {k}" for k, v in sorted(counts.items()))
    print(f"\n== {label}: {elapsed:.1f} ms per run ({runs} runs); per run: {per_run} ==")
    out = io.StringIO()
    # The asyncio runner and this script's own frames wrap everything: leave them out.
    wrappers = r"^(?!.*(asyncio|_contextvars|load_signin_profile))"
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(wrappers, 10)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\n".join(line[:150] for line in lines[start:] if line.strip()))


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        deployment(tmp)
        from lumikb_app.services.accounts import auth

        email, app = setup()
        run_threads_inline()
        tokens: list[str] = []

        def sign_in(n: int) -> None:
            tokens.append(auth.login(email, PASSWORD, ip=f"10.9.0.{n % 250 + 1}").token)

        profiled("sign-in (auth.login, what POST /auth/login runs)", runs, sign_in)
        profiled(
            "first load of the home page (guard + on_load handlers + snapshot)",
            runs,
            lambda n: asyncio.run(home_page_load(app, tokens[n])),
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    main(parser.parse_args().runs)
