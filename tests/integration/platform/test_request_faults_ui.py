"""The search page while PostgreSQL goes away (cut at a TCP proxy): the browser is told why and
no spinner is left on. The page's state is driven as Reflex drives it: the event guard first,
then the handler, and on an exception the app's backend exception handler, whose answer (a
toast, an event that turns the spinner off) is what the browser receives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reflex_base.event import Event, EventSpec
from reflex_base.event.context import EventContext

from lumikb_app.state.accounts.login import UNAVAILABLE_MESSAGE, LoginState
from lumikb_app.state.backend_errors import RecoveryState
from lumikb_app.state.event_guard import EventGuard
from lumikb_app.state.retrieval.search import SearchState
from tests.integration.platform.request_fault_world import FaultWorld, fault_world
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration

DATABASE_DOWN = "The database is unavailable; try again in a moment."


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[FaultWorld]:
    with fault_world(tmp_path_factory.mktemp("ui-faults")) as world:
        yield world


@pytest.fixture
def event_context() -> Iterator[None]:
    """The context Reflex gives each event (the guard notes the event's state under it)."""
    context = EventContext(token="tab", state_manager=None, enqueue_impl=None)  # type: ignore[arg-type]
    reset = EventContext.set(context)
    yield
    EventContext.reset(reset)


def _search_page(world: FaultWorld):
    root = signed_in_state(SearchState.get_root_state(), world.session_token, "/search")
    return root, root.get_substate(SearchState.get_full_name().split("."))


async def _guard(root, handler: str, **payload):
    """The guard's answer to the search page's `handler` event (None: the handler may run)."""
    from lumikb_app.lumikb_app import app

    event = Event(name=f"{SearchState.get_full_name()}.{handler}", payload=payload)
    return await EventGuard().preprocess(app, root, event)


def _says(events: list[EventSpec] | list[Event], text: str) -> bool:
    """Whether one of these events shows `text` (a toast's script carries it)."""
    return any(text in repr(event) for event in events)


async def test_a_search_that_loses_the_database_stops_its_spinner_and_says_why(
    world, event_context
):
    from lumikb_app.lumikb_app import app

    root, search = _search_page(world)
    search.query = "signed build"
    assert await _guard(root, "search") is None  # signed in: the search may run
    world.database.down()
    try:
        with pytest.raises(Exception) as failed:
            await SearchState.search.fn(search)
        assert search.searching  # the spinner the browser shows
        answer = app.backend_exception_handler(failed.value)  # what Reflex does with the error
    finally:
        world.database.up()

    assert isinstance(answer, list) and _says(answer, DATABASE_DOWN)
    (stop,) = [spec for spec in answer if spec.handler.fn is RecoveryState.stop_spinners.fn]
    recovery = root.get_substate(RecoveryState.get_full_name().split("."))
    await RecoveryState.stop_spinners.fn(recovery, *(arg._var_value for _, arg in stop.args))
    assert not search.searching


async def test_an_event_sent_while_the_database_is_down_is_refused_with_the_reason(
    world, event_context
):
    root, search = _search_page(world)
    world.database.down()
    try:
        update = await _guard(root, "set_query", value="signed build")
    finally:
        world.database.up()
    assert update is not None and _says(update.events, DATABASE_DOWN)
    assert search.query == ""  # the handler never ran


async def test_the_sign_in_page_says_when_signing_in_is_unavailable(world):
    root = signed_in_state(LoginState.get_root_state(), "", "/login")
    address = {"pathname": "/login", "asPath": "/login?error=unavailable"}  # where POST sent it
    root.router = type(root.router).from_router_data({"headers": {}, **address})
    login = root.get_substate(LoginState.get_full_name().split("."))
    await LoginState.prepare.fn(login)
    assert login.error_message == UNAVAILABLE_MESSAGE
