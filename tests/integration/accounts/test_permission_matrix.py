"""Every way in x every role, on SQLite and PostgreSQL: the permission table (access_table.py)
names every service function that acts for a user, every service function the pages and routes
call, every REST route and every Reflex event handler; each service call and route then allows
exactly the roles its row names and refuses the rest, and listings and answers hold nothing of
the KB, or of another account, for anyone its row does not name."""

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
from tests.integration.accounts.access_recipes import ROUTE_CALLS, SERVICE_CALLS
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


def test_an_unknown_kb_id_looks_exactly_like_a_forbidden_one(world):
    reader = world.user(Role.NONE)
    with pytest.raises(PermissionDenied) as unknown:
        kbs.get_kb(reader, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(PermissionDenied) as forbidden:
        kbs.get_kb(reader, world.kb)
    assert str(unknown.value) == str(forbidden.value)
