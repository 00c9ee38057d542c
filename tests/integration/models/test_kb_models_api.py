"""REST API: GET /api/v1/models lists what a KB admin may choose; PUT /api/v1/kbs/{id}/models
accepts registry ids only, from the KB's admins only, and changes nothing when it refuses."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from lumikb_app.db.tables import KnowledgeBase
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID
from lumikb_app.services.accounts import api_tokens, auth, grants
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.models import registry
from lumikb_app.services.platform.transactions import read_session, transaction

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class World:
    client: TestClient
    kb_id: str
    chat_id: str
    retired_id: str
    owner: dict[str, str]  # the KB's ADMIN
    reader: dict[str, str]  # READ on the KB


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_tokens.create_token(user, 'script')[0]}"}


@pytest.fixture
def world(migrated) -> Iterator[World]:
    from lumikb_app.api.app import create_api

    with transaction() as session:
        admin = auth.create_user(
            session, email="root@x.io", display_name="R", password=None, role=SystemRole.admin
        )
        owner = auth.create_user(session, email="kim@x.io", display_name="K", password=None)
        reader = auth.create_user(session, email="rae@x.io", display_name="R", password=None)
    chat = registry.add_model(admin, kind="chat", name="Llama", litellm_model="ollama/llama3.2")
    old = registry.add_model(admin, kind="chat", name="Old", litellm_model="ollama/llama2")
    registry.retire_model(admin, old.id)
    kb_id = kbs.create_kb(owner, "Ops").id
    grants.set_grant(owner, kb_id, reader.email, KbRole.READ)
    with TestClient(create_api()) as client:
        yield World(client, kb_id, chat.id, old.id, _bearer(owner), _bearer(reader))


def _stored(kb_id: str) -> KbSettings:
    with read_session() as session:
        return KbSettings.model_validate(session.get_one(KnowledgeBase, kb_id).settings)


def test_the_models_a_kb_admin_may_choose_without_their_urls_or_keys(world):
    listed = world.client.get("/api/v1/models", headers=world.reader).json()
    assert {(m["kind"], m["name"], m["is_default"]) for m in listed} == {
        ("embedding", "MiniLM (built in, offline)", True),
        ("chat", "Llama", False),
    }
    assert all(set(m) == {"id", "kind", "name", "is_default"} for m in listed)
    only_chat = world.client.get("/api/v1/models?kind=chat", headers=world.reader).json()
    assert [m["id"] for m in only_chat] == [world.chat_id]
    assert world.client.get("/api/v1/models").status_code == 401


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"chat_model": "openai/gpt-4o"}, "model registry"),
        ({"chat_model": "RETIRED"}, "model registry"),
        ({"embedding_model": "ollama/nomic-embed-text"}, "model registry"),
        ({"embedding_model": "CHAT"}, "model registry"),
        ({"chat_model": "x" * 65}, "at most 64"),
        ({"model": "gpt-4o"}, "Extra inputs"),
    ],
)
def test_anything_but_a_registry_model_is_a_422_and_changes_nothing(world, body, says):
    ids = {"RETIRED": world.retired_id, "CHAT": world.chat_id}
    body = {field: ids.get(value, value) for field, value in body.items()}
    before = _stored(world.kb_id)
    response = world.client.put(f"/api/v1/kbs/{world.kb_id}/models", json=body, headers=world.owner)
    assert response.status_code == 422 and says in str(response.json()["detail"])
    assert _stored(world.kb_id) == before


def test_a_kb_admin_chooses_a_registry_model_and_a_reader_cannot(world):
    path, body = f"/api/v1/kbs/{world.kb_id}/models", {"chat_model": world.chat_id}
    assert world.client.put(path, json=body, headers=world.reader).status_code == 404
    assert world.client.put("/api/v1/kbs/nope/models", json=body, headers=world.owner).status_code == 404  # fmt: skip
    assert _stored(world.kb_id).chat_model == ""
    response = world.client.put(path, json=body, headers=world.owner)
    assert response.status_code == 200
    assert response.json() == {
        "chat_model": world.chat_id,
        "embedding_model": BUILTIN_EMBEDDER_ID,
        "reindexing": False,
    }
    assert _stored(world.kb_id).chat_model == world.chat_id
    back = world.client.put(path, json={"chat_model": ""}, headers=world.owner).json()
    assert back["chat_model"] == "" == _stored(world.kb_id).chat_model
