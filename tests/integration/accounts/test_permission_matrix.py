"""Every way in x every role, on SQLite and PostgreSQL: the permission table (access_table.py)
names every service function that acts for a user, every service function the pages and routes
call, every REST route and every Reflex event handler. Each service call and route then allows
exactly the roles its row names and refuses the rest; listings and answers hold nothing of the
KB, or of another account, for anyone its row does not name; the event guard lets in exactly
what each handler's row says; and the handlers that load a page put the KB into it only for the
roles their rows name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.accounts import access_surface
from tests.integration.accounts.access_levels import (
    ACTIVE,
    ALLOWED,
    SERVICE_ROLES,
    Access,
    Role,
    Shows,
)
from tests.integration.accounts.access_recipes import HANDLER_LOADS, ROUTE_CALLS, SERVICE_CALLS
from tests.integration.accounts.access_table import (
    HANDLERS,
    PUBLIC,
    ROUTES,
    SERVICES,
    WITHOUT_A_USER,
    base_name,
)
from tests.integration.accounts.access_world import World, deployment

pytestmark = pytest.mark.integration

REFUSED = {401, 403, 404}


def _assert_covers(found: set[str], listed: set[str], what: str) -> None:
    missing, gone = sorted(found - listed), sorted(listed - found)
    assert not missing, f"{what} with no row in access_table.py: {missing}"
    assert not gone, f"rows in access_table.py for {what} that no longer exist: {gone}"


# --- the table covers everything ----------------------------------------------------------


def test_the_table_names_every_service_function_that_acts_for_a_user_or_serves_a_page():
    found = access_surface.acting_service_functions() | access_surface.web_service_functions()
    listed = {base_name(row) for row in SERVICES} | set(WITHOUT_A_USER)
    _assert_covers(found, listed, "service functions")


def test_a_function_reached_without_a_user_does_not_act_for_one():
    acting = access_surface.acting_service_functions()
    assert not acting & {name for name in WITHOUT_A_USER if "." in name} - {
        "accounts.audit.audit_filter",  # its 'actor' is a filter value, not the caller
        "accounts.users.is_locked",  # its 'user' is the row it reads, not the caller
    }


def test_the_table_names_every_rest_route():
    listed = {base_name(row) for row in ROUTES}
    _assert_covers(access_surface.rest_routes(), listed, "routes")


def test_the_table_names_every_reflex_event_handler():
    _assert_covers(access_surface.event_handlers(), set(HANDLERS), "event handlers")


def _guard_says(handler) -> str:
    from lumikb_app.state.event_rules import policy_for

    policy = policy_for(handler.fn)
    return "never" if policy.never else "public" if policy.public else "signed in"


def _table_says(expected) -> str:
    return {Access.NEVER: "never", Access.PUBLIC: "public"}.get(expected, "signed in")


def test_the_event_guard_lets_in_exactly_what_the_table_says():
    """The guard runs a handler for anyone only if its row is PUBLIC, for a signed-in caller if
    it needs one, and never if its row says NEVER; roles beyond that are the services' checks."""
    handlers = access_surface.event_handler_functions()
    wrong = {
        name: f"guard: {_guard_says(handler)}, table: {_table_says(HANDLERS[name])}"
        for name, handler in handlers.items()
        if name in HANDLERS and _guard_says(handler) != _table_says(HANDLERS[name])
    }
    assert wrong == {}


def test_every_service_row_and_route_row_has_a_call_to_try():
    assert set(SERVICE_CALLS) == set(SERVICES)
    assert set(ROUTE_CALLS) == set(ROUTES)


# --- the code does what the table says ----------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory) -> Iterator[World]:
    with deployment(request.param, tmp_path_factory) as built:
        yield built


@pytest.mark.parametrize("role", SERVICE_ROLES, ids=lambda role: role.name)
@pytest.mark.parametrize("row", list(SERVICES))
def test_a_service_call_allows_exactly_the_roles_its_row_names(world, row, role):
    expected, call, user = SERVICES[row], SERVICE_CALLS[row], world.user(role)
    if isinstance(expected, Shows):
        allowed = role in ALLOWED[expected.access]
        try:
            shown = call(world, user)
        except PermissionDenied:
            assert role not in ACTIVE, f"{role.value} was refused a listing"
            shown = False
        assert shown is allowed, f"{role.value} {'misses' if allowed else 'sees'} the KB's data"
    elif role in ALLOWED[expected]:
        call(world, user)
    else:
        with pytest.raises(PermissionDenied):
            call(world, user)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.name)
@pytest.mark.parametrize("row", list(ROUTES))
def test_a_route_allows_exactly_the_roles_its_row_names(world, row, role):
    expected, response = ROUTES[row], ROUTE_CALLS[row](world, role)
    status = response.status_code
    if expected is PUBLIC:
        anonymous = ROUTE_CALLS[row](world, Role.ANONYMOUS)
        assert status == anonymous.status_code < 500, "a public route answers everyone alike"
        assert not world.shows_kb(response.text) and not world.shows_foreign(response.text)
    elif isinstance(expected, Shows):
        assert status == 200 if role in ACTIVE else status in REFUSED, response.text
        holds = world.shows_foreign if expected.access is Access.NOBODY else world.shows_kb
        shown = status == 200 and holds(response.text)
        assert shown is (role in ALLOWED[expected.access]), response.text[:500]
    elif role in ALLOWED[expected]:
        assert status < 400, response.text[:500]
    else:
        assert status in REFUSED, response.text[:500]


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.name)
@pytest.mark.parametrize("row", list(HANDLER_LOADS))
async def test_a_page_load_shows_the_kb_only_to_the_roles_its_row_names(world, row, role):
    """The handler itself (called directly, past the guard) puts nothing of the KB, or of
    another account, into the page of someone its row does not name."""
    expected = HANDLERS[row]
    level = expected.access if isinstance(expected, Shows) else expected
    page = await HANDLER_LOADS[row](world, role)
    if isinstance(page, bool):
        shown = page
    elif level is Access.NOBODY:
        shown = world.shows_foreign(page)
    else:
        shown = world.shows_kb(page) or world.shows_foreign(page)
    assert shown is (role in ALLOWED[level]), page


def test_an_unknown_kb_id_looks_exactly_like_a_forbidden_one(world):
    reader = world.user(Role.NONE)
    with pytest.raises(PermissionDenied) as unknown:
        kbs.get_kb(reader, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(PermissionDenied) as forbidden:
        kbs.get_kb(reader, world.kb)
    assert str(unknown.value) == str(forbidden.value)
