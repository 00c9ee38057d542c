"""Drive a page's Reflex state in a test as a browser would: a new state whose websocket carries
the session cookie of `token`, on `path`. Its event handlers are then called directly
(`State.handler.fn(state, ...)`) with whatever arguments a hand-made event could send."""

from __future__ import annotations

from typing import TypeVar

from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.auth import COOKIE_NAME
from lumikb_app.services.platform.transactions import transaction

S = TypeVar("S")
PASSWORD = "a long enough secret"


def signed_in_state(state_class: type[S], token: str, path: str = "/", **route: str) -> S:
    import lumikb_app.lumikb_app  # noqa: F401  (the app's routes give states their route args)

    state = state_class(_reflex_internal_init=True)  # type: ignore[call-arg]
    state.router = type(state.router).from_router_data(  # type: ignore[attr-defined]
        {"headers": {"cookie": f"{COOKIE_NAME}={token}"}, "pathname": path, "query": route}
    )
    return state


def admin_and_member(state_class: type[S], path: str = "/") -> tuple[S, S]:
    """A new admin (root@x.io) and member (mia@x.io), both with PASSWORD: `state_class` signed in
    as each, on `path`."""
    with transaction() as session:
        auth.create_user(
            session, email="root@x.io", display_name="R", password=PASSWORD, role=SystemRole.admin
        )
        auth.create_user(session, email="mia@x.io", display_name="M", password=PASSWORD)
    admin = signed_in_state(state_class, auth.login("root@x.io", PASSWORD).token, path)
    member = signed_in_state(state_class, auth.login("mia@x.io", PASSWORD).token, path)
    return admin, member
