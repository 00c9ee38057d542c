"""The model registry service: only system admins change it, every field is checked, one default
per kind, retiring keeps what KBs use, and every change is audited (never a key's value)."""

from dataclasses import dataclass

import pytest
from sqlmodel import select

from lumikb_app.db.tables import AuditEvent, Model, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID, ModelKind
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.models import choices, registry
from lumikb_app.services.platform.transactions import read_session, transaction

pytestmark = pytest.mark.unit

OLLAMA = {"kind": "chat", "name": "Llama (local)", "litellm_model": "ollama/llama3.2"}


@dataclass(frozen=True)
class People:
    admin: User
    member: User


@pytest.fixture
def people(migrated) -> People:
    with transaction() as session:
        admin = auth.create_user(
            session, email="root@x.io", display_name="Root", password=None, role=SystemRole.admin
        )
        member = auth.create_user(session, email="mia@x.io", display_name="Mia", password=None)
    return People(admin, member)


def _entries() -> list[Model]:
    with read_session() as session:
        return list(session.exec(select(Model)))


def _audit(action: str) -> list[AuditEvent]:
    with read_session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_built_in_embedder_is_registered_and_the_default(people):
    (entry,) = _entries()
    assert (entry.id, entry.kind, entry.is_default) == (BUILTIN_EMBEDDER_ID, "embedding", True)
    assert [c.id for c in choices.choices(people.member, ModelKind.embedding)] == ["default"]


def test_an_admin_adds_a_model_naming_its_key_variable_and_the_audit_says_so(people, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-stored")
    added = registry.add_model(
        people.admin, **OLLAMA, base_url="http://ollama:11434/", api_key_env="OPENAI_API_KEY",
        context_window="8192", ip="10.0.0.1",
    )  # fmt: skip
    assert (added.base_url, added.api_key_env, added.context_window) == (
        "http://ollama:11434", "OPENAI_API_KEY", 8192,
    )  # fmt: skip
    assert added.is_default is False and registry.key_is_set(added)
    (event,) = _audit("model.added")
    assert event.actor_email == "root@x.io" and event.target == "Llama (local)"
    assert event.details["api_key_env"] == "OPENAI_API_KEY"
    assert "sk-never-stored" not in repr(_entries()) + repr(_audit("model.added"))


def test_a_member_cannot_add_a_model_and_nothing_is_stored(people):
    with pytest.raises(PermissionDenied):
        registry.add_model(people.member, **OLLAMA)
    with pytest.raises(PermissionDenied):
        registry.list_models(people.member)
    assert len(_entries()) == 1 and _audit("model.added") == []


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"kind": "llm"}, "Choose a kind"),
        ({"name": "   "}, "Give the model a name"),
        ({"litellm_model": ""}, "model string is required"),
        ({"litellm_model": "ollama/llama 3"}, "letters, digits"),
        ({"litellm_model": "fake/instant"}, "LUMIKB_ENV=test"),
        ({"litellm_model": "default"}, "built-in embedder"),
        ({"base_url": "ftp://files.example.com"}, "http:// or https://"),
        ({"base_url": "https://user:sk-123@api.example.com"}, "Keep credentials out"),
        ({"api_key_env": "sk-live-1234"}, "never the key itself"),
        ({"api_key_env": "JWT_SECRET"}, "LumiKB's own settings"),
        ({"context_window": "lots"}, "whole number"),
        ({"context_window": "0"}, "between 1 and"),
        ({"name": ["a", "list"]}, "Every field of a model is text"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(people, change, says):
    with pytest.raises(InvalidInput, match=says):
        registry.add_model(people.admin, **{**OLLAMA, **change})
    assert len(_entries()) == 1 and _audit("model.added") == []


def test_a_duplicate_name_or_model_is_refused(people):
    registry.add_model(people.admin, **OLLAMA)
    with pytest.raises(InvalidInput, match="already registered"):
        registry.add_model(
            people.admin, **{**OLLAMA, "name": "LLAMA (LOCAL)", "litellm_model": "x/y"}
        )
    with pytest.raises(InvalidInput, match='already registered as "Llama'):
        registry.add_model(people.admin, **{**OLLAMA, "name": "Another name"})
    registry.add_model(people.admin, **{**OLLAMA, "name": "Other host", "base_url": "http://gpu:11434"})  # fmt: skip


def test_one_default_per_kind_and_the_change_is_audited(people):
    first = registry.add_model(people.admin, **OLLAMA)
    second = registry.add_model(
        people.admin, **{**OLLAMA, "name": "GPT", "litellm_model": "gpt-4o"}
    )
    assert choices.chat_model() is None  # no default chat model yet: answers quote sources
    registry.set_default(people.admin, first.id)
    registry.set_default(people.admin, second.id)
    defaults = [(e.kind, e.name) for e in _entries() if e.is_default]
    assert sorted(defaults) == [("chat", "GPT"), ("embedding", "MiniLM (built in, offline)")]
    last = _audit("model.default_changed")[-1].details
    assert (last["before"], last["after"]) == (first.id, second.id)
    with pytest.raises(PermissionDenied):
        registry.set_default(people.member, first.id)
    with pytest.raises(InvalidInput, match="No such model"):
        registry.set_default(people.admin, "no-such-id")


def test_a_model_in_use_or_the_default_embedder_cannot_be_retired(people):
    chat = registry.add_model(people.admin, **OLLAMA)
    kb = kbs.create_kb(people.member, "Ops")
    kb_config.update_settings(people.member, kb.id, {"chat_model": chat.id})
    with pytest.raises(InvalidInput, match=r"1 knowledge base\(s\) use this model \(Ops\)"):
        registry.retire_model(people.admin, chat.id)
    with pytest.raises(InvalidInput, match="Make another embedding model the default"):
        registry.retire_model(people.admin, BUILTIN_EMBEDDER_ID)
    kb_config.update_settings(people.member, kb.id, {"chat_model": ""})
    with pytest.raises(PermissionDenied):
        registry.retire_model(people.member, chat.id)
    retired = registry.retire_model(people.admin, chat.id)
    assert retired.retired_at is not None and _audit("model.retired")[0].target == "Llama (local)"
    assert choices.choices(people.member, ModelKind.chat) == []
    with pytest.raises(InvalidInput, match="retired"):
        registry.set_default(people.admin, chat.id)


def test_retiring_the_default_chat_model_leaves_chat_without_one(people, monkeypatch):
    chat = registry.add_model(people.admin, **OLLAMA)
    registry.set_default(people.admin, chat.id)
    assert choices.chat_model() is not None
    registry.retire_model(people.admin, chat.id)
    assert choices.chat_model() is None


def test_a_key_variable_is_read_when_asked_never_stored(people, monkeypatch):
    entry = registry.add_model(people.admin, **OLLAMA, api_key_env="LLAMA_KEY")
    monkeypatch.delenv("LLAMA_KEY", raising=False)
    assert registry.key_is_set(entry) is False
    monkeypatch.setenv("LLAMA_KEY", "secret")
    assert registry.key_is_set(entry) is True
