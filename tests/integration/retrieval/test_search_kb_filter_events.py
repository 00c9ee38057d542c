"""The search page's KB filter as a browser sends it (the Reflex handlers called directly, past
the event guard, with the person's session cookie): several KBs at once, and a KB the person may
not read is never added, whether from a hand-made event or from the URL."""

from __future__ import annotations

import pytest

from lumikb_app.services.accounts import auth
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.state.retrieval.search import SearchState
from lumikb_app.state.session import AppState
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration
PASSWORD = "a long enough secret"


@pytest.fixture
def page_and_kbs(migrated):
    with transaction() as session:
        grace, other = [
            auth.create_user(session, email=f"{n}@x.io", display_name=n.title(), password=PASSWORD)
            for n in ("grace", "other")
        ]
    mine = [kbs.create_kb(grace, name).id for name in ("Handbook", "Runbooks")]
    theirs = kbs.create_kb(other, "Mergers").id
    token = auth.login(grace.email, PASSWORD, ip="127.0.0.1").token
    return token, mine, theirs


async def _signed_in_page(token: str, url_kbs: str = "") -> SearchState:
    root = signed_in_state(SearchState.get_root_state(), token, "/search")
    if url_kbs:  # the address the browser opened
        address = {"pathname": "/search", "asPath": f"/search?q=plan&kb={url_kbs}"}
        headers = {"cookie": root.router.headers.cookie}
        root.router = type(root.router).from_router_data({"headers": headers, **address})
    await AppState.check_session.fn(root.get_substate(AppState.get_full_name().split(".")))
    return root.get_substate(SearchState.get_full_name().split("."))


async def test_several_kbs_are_chosen_and_a_foreign_one_is_never_added(page_and_kbs):
    token, (handbook, runbooks), theirs = page_and_kbs
    page = await _signed_in_page(token)
    assert page.kb_filter_label == "All knowledge bases"

    assert SearchState.set_kb_checked.fn(page, theirs, True) is None
    assert page.kb_filter == []
    SearchState.set_kb_checked.fn(page, handbook, True)
    assert page.kb_filter_label == "Handbook"
    SearchState.set_kb_checked.fn(page, runbooks, True)
    assert page.kb_filter == [handbook, runbooks]
    assert page.kb_filter_label == "2 knowledge bases"
    SearchState.set_kb_checked.fn(page, handbook, False)
    assert page.kb_filter == [runbooks]
    SearchState.clear_kb_filter.fn(page)
    assert page.kb_filter == []


async def test_the_url_keeps_only_kbs_the_person_may_read(page_and_kbs):
    token, (handbook, runbooks), theirs = page_and_kbs
    page = await _signed_in_page(token, f"{theirs},{runbooks},{handbook}")
    SearchState.load.fn(page)
    assert page.kb_filter == [runbooks, handbook]
