"""The KB settings page's Reflex state, driven as a browser would: a refused value is explained
next to its field and nothing is saved; a member below ADMIN is told the page needs ADMIN (with
the way back), while someone with no grant sees the same "not found" as for a missing KB."""

from dataclasses import dataclass

import pytest

from lumikb_app.db.tables import KnowledgeBase
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import read_session, transaction
from lumikb_app.state.knowledge_bases.kb_settings import KbSettingsState
from tests.reflex_states import PASSWORD, signed_in_state

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class World:
    kb_id: str


@pytest.fixture
def world(migrated) -> World:
    with transaction() as session:
        for email in ("owner@x.io", "reader@x.io", "writer@x.io", "stranger@x.io"):
            auth.create_user(session, email=email, display_name=email[:4], password=PASSWORD)
    owner = auth.user_for_token(auth.login("owner@x.io", PASSWORD).token)
    assert owner is not None
    kb_id = kbs.create_kb(owner, "Ops handbook").id
    grants.set_grant(owner, kb_id, "reader@x.io", KbRole.READ)
    grants.set_grant(owner, kb_id, "writer@x.io", KbRole.WRITE)
    return World(kb_id)


async def _page(email: str, kb_id: str) -> KbSettingsState:
    token = auth.login(email, PASSWORD).token
    page = signed_in_state(KbSettingsState, token, f"/kb/{kb_id}/settings", kb_id=kb_id)
    await KbSettingsState.load_settings.fn(page)
    return page


def _stored(kb_id: str) -> KbSettings:
    with read_session() as session:
        return KbSettings.model_validate(session.get_one(KnowledgeBase, kb_id).settings)


async def test_a_refused_value_is_explained_next_to_its_field_and_nothing_is_saved(world):
    page = await _page("owner@x.io", world.kb_id)
    KbSettingsState.set_setting.fn(page, "chunk_tokens", "5000")
    KbSettingsState.set_setting.fn(page, "top_k", "0")
    await KbSettingsState.save_settings.fn(page, {})

    assert page.field_errors["chunk_tokens"] == "Chunk size must be at most 2,000 tokens."
    assert page.field_errors["top_k"] == "Results per search must be at least 1."
    assert page.field_errors["chunk_overlap"] == ""
    assert page.settings_error == "Not saved: correct the fields below."
    assert page.settings_notice == ""
    assert (_stored(world.kb_id).chunk_tokens, _stored(world.kb_id).top_k) == (300, 8)

    KbSettingsState.set_setting.fn(page, "chunk_tokens", "400")
    KbSettingsState.set_setting.fn(page, "top_k", "10")
    await KbSettingsState.save_settings.fn(page, {})
    assert set(page.field_errors.values()) == {""} and page.settings_error == ""
    assert (_stored(world.kb_id).chunk_tokens, _stored(world.kb_id).top_k) == (400, 10)


@pytest.mark.parametrize(("email", "role"), [("reader@x.io", "READ"), ("writer@x.io", "WRITE")])
async def test_a_member_below_admin_is_told_the_page_needs_admin(world, email, role):
    page = await _page(email, world.kb_id)
    assert not page.kb_found
    assert (page.refused_role, page.refused_kb_id) == (role, world.kb_id)
    assert page.kb_name == "" and page.members == [] and page.settings_form == {}


async def test_without_a_grant_a_kb_looks_the_same_as_a_missing_one(world):
    stranger = await _page("stranger@x.io", world.kb_id)
    missing = await _page("owner@x.io", "00000000-0000-0000-0000-000000000000")
    for page in (stranger, missing):
        assert not page.kb_found and page.refused_role == "" and page.refused_kb_id == ""


async def test_archiving_waits_for_the_confirmation(world):
    page = await _page("owner@x.io", world.kb_id)
    KbSettingsState.archive_dialog_changed.fn(page, True)
    assert page.archive_open and not page.kb_archived  # asking changes nothing yet
    KbSettingsState.archive_dialog_changed.fn(page, False)  # Cancel
    assert world.kb_id in {kb.id for kb in kbs.list_kbs(auth.user_for_token(_token()))}

    KbSettingsState.archive_dialog_changed.fn(page, True)
    await KbSettingsState.toggle_archived.fn(page)  # the dialog's Archive
    assert page.kb_archived and not page.archive_open
    assert world.kb_id not in {kb.id for kb in kbs.list_kbs(auth.user_for_token(_token()))}


def _token() -> str:
    return auth.login("owner@x.io", PASSWORD).token
