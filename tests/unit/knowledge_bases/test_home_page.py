"""The home page's Reflex state, driven as a browser would: the cards carry counts and activity,
the Archived filter lists what the user may restore, and a restore happens only for a KB the
list offered, after its confirmation."""

import pytest

from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.state.knowledge_bases.home import HomeState
from tests.reflex_states import PASSWORD, signed_in_state

pytestmark = pytest.mark.unit


@pytest.fixture
def archived_kb(migrated) -> str:
    with transaction() as session:
        for email in ("owner@x.io", "reader@x.io"):
            auth.create_user(session, email=email, display_name=email[:4], password=PASSWORD)
    owner = auth.user_for_token(auth.login("owner@x.io", PASSWORD).token)
    assert owner is not None
    kbs.create_kb(owner, "Active one")
    kb_id = kbs.create_kb(owner, "Old one").id
    grants.set_grant(owner, kb_id, "reader@x.io", KbRole.READ)
    kbs.set_archived(owner, kb_id, True)
    return kb_id


async def _home(email: str) -> HomeState:
    page = signed_in_state(HomeState, auth.login(email, PASSWORD).token, "/")
    await HomeState.load_home.fn(page)
    return page


async def test_the_owner_finds_the_archived_kb_and_restores_it_after_confirming(archived_kb):
    page = await _home("owner@x.io")
    assert [(c.name, c.documents) for c in page.cards] == [("Active one", "No documents yet")]
    assert page.cards[0].activity.startswith("Last activity ")
    assert [c.name for c in page.archived_cards] == ["Old one"]
    assert page.archived_cards[0].activity.startswith("Archived ")

    HomeState.set_home_filter.fn(page, "archived")
    assert page.home_filter == "archived"
    HomeState.set_home_filter.fn(page, "everything")  # not a filter: ignored
    assert page.home_filter == "archived"
    HomeState.ask_restore.fn(page, archived_kb)
    assert (page.restore_open, page.restore_name) == (True, "Old one")
    HomeState.restore_dialog_changed.fn(page, False)  # Cancel: still archived
    assert [c.name for c in (await _home("owner@x.io")).archived_cards] == ["Old one"]

    HomeState.ask_restore.fn(page, archived_kb)
    await HomeState.restore_kb.fn(page)
    assert page.home_notice == "Restored Old one: it is back in your knowledge bases."
    assert [c.name for c in page.cards] == ["Active one", "Old one"]
    assert page.archived_cards == []


async def test_a_reader_neither_sees_nor_restores_an_archived_kb(archived_kb):
    page = await _home("reader@x.io")
    assert page.cards == [] and page.archived_cards == []
    HomeState.ask_restore.fn(page, archived_kb)  # not in their list: nothing to confirm
    assert not page.restore_open
    page.restore_id = archived_kb  # a hand-made state, as a crafted event could not even do
    await HomeState.restore_kb.fn(page)
    assert page.home_error == "You do not have access to this knowledge base."
    assert (await _home("owner@x.io")).archived_cards[0].id == archived_kb
