"""A KB admin chooses models from the registry only: through the service, and through the KB
settings page's Reflex events sent by hand (the REST route is tested in integration)."""

from dataclasses import dataclass

import pytest
from sqlmodel import select

from lumikb_app.db.tables import AuditEvent, KnowledgeBase, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID, ModelKind
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.models import registry
from lumikb_app.services.platform.transactions import read_session, transaction
from lumikb_app.state.knowledge_bases.kb_settings import REGISTRY_DEFAULT, KbSettingsState
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.unit
PASSWORD = "a long enough secret"


@dataclass(frozen=True)
class World:
    admin: User
    owner: User  # the KB's ADMIN, a member of the deployment
    kb_id: str
    chat_id: str
    embedding_id: str


@pytest.fixture
def world(migrated) -> World:
    with transaction() as session:
        admin = auth.create_user(
            session, email="root@x.io", display_name="R", password=None, role=SystemRole.admin
        )
        owner = auth.create_user(session, email="kim@x.io", display_name="K", password=PASSWORD)
    chat = registry.add_model(admin, kind="chat", name="Llama", litellm_model="ollama/llama3.2")
    embedding = registry.add_model(
        admin, kind="embedding", name="Nomic", litellm_model="ollama/nomic-embed-text"
    )
    kb_id = kbs.create_kb(owner, "Ops").id
    return World(admin, owner, kb_id, chat.id, embedding.id)


def _settings(kb_id: str) -> KbSettings:
    with read_session() as session:
        return KbSettings.model_validate(session.get_one(KnowledgeBase, kb_id).settings)


def _changes() -> int:
    with read_session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "settings.changed")
        return len(session.exec(query).all())


@pytest.mark.parametrize(
    "values",
    [
        {"chat_model": "gpt-4o"},  # a LiteLLM string typed by hand
        {"chat_model": "openai/gpt-4o"},
        {"embedding_model": "ollama/nomic-embed-text"},
        {"chat_model": "EMBEDDING"},  # an embedding entry where a chat model belongs
        {"embedding_model": "CHAT"},
    ],
)
def test_a_kb_admin_cannot_name_a_model_outside_the_registry(world, values):
    named = {"CHAT": world.chat_id, "EMBEDDING": world.embedding_id}
    values = {field: named.get(value, value) for field, value in values.items()}
    before = _settings(world.kb_id)
    with pytest.raises(InvalidInput, match="from the model registry"):
        kb_config.update_settings(world.owner, world.kb_id, values)
    assert _settings(world.kb_id) == before and _changes() == 0


def test_a_retired_model_cannot_be_chosen(world):
    registry.retire_model(world.admin, world.chat_id)
    with pytest.raises(InvalidInput, match="from the model registry"):
        kb_config.update_settings(world.owner, world.kb_id, {"chat_model": world.chat_id})
    assert _settings(world.kb_id).chat_model == ""


def test_a_registry_model_is_chosen_and_a_new_kb_embeds_with_the_default(world):
    saved, _ = kb_config.update_settings(world.owner, world.kb_id, {"chat_model": world.chat_id})
    assert saved.chat_model == world.chat_id == _settings(world.kb_id).chat_model
    assert _settings(world.kb_id).embedding_model == BUILTIN_EMBEDDER_ID
    registry.set_default(world.admin, world.embedding_id)
    assert _settings(kbs.create_kb(world.owner, "Later").id).embedding_model == world.embedding_id
    with pytest.raises(InvalidInput, match="from the model registry"):
        kbs.create_kb(world.owner, "Sneaky", settings=KbSettings(embedding_model="openai/x"))


async def test_a_hand_made_reflex_event_cannot_set_a_model_outside_the_registry(world):
    token = auth.login("kim@x.io", PASSWORD).token
    page = signed_in_state(KbSettingsState, token, f"/kb/{world.kb_id}/settings", kb_id=world.kb_id)
    await KbSettingsState.load_settings.fn(page)
    assert {o.value for o in page.chat_models} == {REGISTRY_DEFAULT, world.chat_id}
    assert [o.value for o in page.embedding_models] == [BUILTIN_EMBEDDER_ID, world.embedding_id]
    for name, value in (("chat_model", "openai/gpt-4o"), ("embedding_model", "ollama/x" * 100)):
        KbSettingsState.set_setting.fn(page, name, value)
        await KbSettingsState.save_settings.fn(page, {"chat_model": "ignored"})
        assert "from the model registry" in page.settings_error
    assert _settings(world.kb_id) == KbSettings() and _changes() == 0
    KbSettingsState.set_setting.fn(page, "embedding_model", BUILTIN_EMBEDDER_ID)
    KbSettingsState.set_setting.fn(page, "chat_model", world.chat_id)
    await KbSettingsState.save_settings.fn(page, {})
    assert page.settings_error == "" and _settings(world.kb_id).chat_model == world.chat_id
    KbSettingsState.set_setting.fn(page, "chat_model", REGISTRY_DEFAULT)
    await KbSettingsState.save_settings.fn(page, {})
    assert _settings(world.kb_id).chat_model == ""


def test_the_choices_offered_are_the_live_models_of_each_kind(world):
    from lumikb_app.services.models import choices

    offered = choices.choices(world.owner, ModelKind.chat)
    assert [(c.id, c.name) for c in offered] == [(world.chat_id, "Llama")]
    registry.set_default(world.admin, world.embedding_id)
    first = choices.choices(world.owner, ModelKind.embedding)[0]
    assert (first.id, first.is_default) == (world.embedding_id, True)
