"""Migration 0006 on SQLite and PostgreSQL: the registry is seeded from LLM_MODEL and LITELLM_URL,
every model string that existing KB settings name becomes an entry their settings then point at,
and a downgrade gives the KBs their strings back."""

import json

import pytest
import sqlalchemy as sa

from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.container import reset_container
from lumikb_app.db.migrate import downgrade, upgrade

pytestmark = pytest.mark.integration

BEFORE_REGISTRY = "0005"
KBS = {
    "plain": {"chunk_tokens": 300},
    "own-models": {"embedding_model": "ollama/nomic-embed-text", "chat_model": "gpt-4o-mini"},
    "same-as-deployment": {"embedding_model": "default", "chat_model": "ollama/llama3.2"},
}


@pytest.fixture
def old_database(database_url, data_dir, monkeypatch):
    """A database as the release before the registry left it, with three KBs."""
    monkeypatch.setenv("LLM_MODEL", "ollama/llama3.2")
    monkeypatch.setenv("LITELLM_URL", "http://proxy:4000")
    monkeypatch.setenv("LITELLM_API_KEY", "sk-proxy")
    reset_container()  # the migration reads these settings
    upgrade(database_url, BEFORE_REGISTRY)
    database = SqlDatabase(database_url, pool_size=1)
    with database.engine.begin() as connection:
        for name, settings in KBS.items():
            connection.execute(
                sa.text(
                    "INSERT INTO knowledge_bases (id, name, description, settings, index_version,"
                    " created_at, updated_at) VALUES (:id, :id, '', :settings, 1, :now, :now)"
                ),
                {"id": name, "settings": json.dumps(settings), "now": "2026-01-01 00:00:00"},
            )
    yield database_url, database
    database.close()


def _models(database) -> dict[tuple[str, str], dict]:
    with database.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM models")).mappings().all()
    return {(row["kind"], row["litellm_model"]): dict(row) for row in rows}


def _kb_settings(database) -> dict[str, dict]:
    with database.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, settings FROM knowledge_bases")).all()
    return {kb_id: value if isinstance(value, dict) else json.loads(value) for kb_id, value in rows}


def test_the_registry_is_seeded_and_existing_kb_models_are_adopted(old_database):
    url, database = old_database
    upgrade(url, "0006")
    models = _models(database)
    assert set(models) == {
        ("embedding", "default"),
        ("chat", "ollama/llama3.2"),
        ("embedding", "ollama/nomic-embed-text"),
        ("chat", "gpt-4o-mini"),
    }
    builtin, chat = models[("embedding", "default")], models[("chat", "ollama/llama3.2")]
    assert builtin["id"] == "default" and builtin["is_default"] and builtin["base_url"] is None
    assert chat["is_default"] and chat["base_url"] == "http://proxy:4000"
    assert chat["api_key_env"] == "LITELLM_API_KEY"  # its name; the key stays in the environment
    assert "sk-proxy" not in json.dumps(list(models.values()), default=str)
    adopted = models[("chat", "gpt-4o-mini")]
    assert not adopted["is_default"] and adopted["base_url"] == "http://proxy:4000"

    settings = _kb_settings(database)
    assert settings["plain"] == KBS["plain"]
    assert settings["own-models"]["chat_model"] == adopted["id"]
    assert settings["own-models"]["embedding_model"] == models[("embedding", "ollama/nomic-embed-text")]["id"]  # fmt: skip
    assert settings["same-as-deployment"] == {
        "embedding_model": "default",
        "chat_model": chat["id"],
    }

    downgrade(url, BEFORE_REGISTRY)
    assert _kb_settings(database) == KBS
    upgrade(url)  # and up again, to the newest schema
    assert len(_models(database)) == 4
