"""Each Reflex event looks the session up once: the event guard's lookup serves the handler of
the same event, and the next event looks it up again, so a session revoked in between is
refused at once. Driven as Reflex drives an event: the guard first, then the handler."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container
from lumikb_app.services.accounts import auth
from lumikb_app.state.event_guard import Event, EventGuard  # Reflex's Event, as the guard has it
from lumikb_app.state.knowledge_bases.kb_creation import KbCreationState
from lumikb_app.state.session import AppState
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration
PASSWORD = "one lookup per event"


@pytest.fixture
def token(migrated) -> str:
    with get_container().db.session() as session:
        auth.create_user(session, email="kim@example.com", display_name="Kim", password=PASSWORD)
        session.commit()
    return auth.login("kim@example.com", PASSWORD).token


@pytest.fixture
def lookups(monkeypatch) -> list[str]:
    """The session tokens looked up in the database, in order."""
    seen: list[str] = []
    real = auth.user_for_token

    def counted(token: str | None):
        seen.append(token or "")
        return real(token)

    monkeypatch.setattr(auth, "user_for_token", counted)
    return seen


async def _event(root, state_class, handler: str) -> bool:
    """One event as Reflex runs it; whether its handler ran."""
    from lumikb_app.lumikb_app import app

    event = Event(name=f"{state_class.get_full_name()}.{handler}", payload={})
    if await EventGuard().preprocess(app, root, event) is not None:
        return False
    state = root.get_substate(state_class.get_full_name().split("."))
    await getattr(state_class, handler).fn(state)
    return True


async def test_the_handler_uses_the_guards_lookup(token, lookups):
    root = signed_in_state(AppState.get_root_state(), token, "/")

    assert await _event(root, KbCreationState, "load_may_create")

    creation = root.get_substate(KbCreationState.get_full_name().split("."))
    assert creation.may_create_kbs is True  # what the home page shows a member by default
    assert lookups == [token]  # the guard's; the handler asked for the user without a second


async def test_a_session_revoked_between_two_events_is_refused_at_the_next(token, lookups):
    root = signed_in_state(AppState.get_root_state(), token, "/")
    assert await _event(root, KbCreationState, "load_may_create")

    auth.logout(token)  # another tab signs out

    assert not await _event(root, KbCreationState, "load_may_create")
    await _event(root, AppState, "check_session")  # public: the page's own session check
    app_state = root.get_substate(AppState.get_full_name().split("."))
    assert app_state.signed_in is False
    assert lookups == [token, token, token]  # every event looked the session up again
