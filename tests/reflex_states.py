"""Drive a page's Reflex state in a test as a browser would: a new state whose websocket carries
the session cookie of `token`, on `path`. Its event handlers are then called directly
(`State.handler.fn(state, ...)`) with whatever arguments a hand-made event could send."""

from __future__ import annotations

from typing import TypeVar

from lumikb_app.services.accounts.auth import COOKIE_NAME

S = TypeVar("S")


def signed_in_state(state_class: type[S], token: str, path: str = "/", **route: str) -> S:
    import lumikb_app.lumikb_app  # noqa: F401  (the app's routes give states their route args)

    state = state_class(_reflex_internal_init=True)  # type: ignore[call-arg]
    state.router = type(state.router).from_router_data(  # type: ignore[attr-defined]
        {"headers": {"cookie": f"{COOKIE_NAME}={token}"}, "pathname": path, "query": route}
    )
    return state
