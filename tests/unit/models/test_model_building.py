"""The container builds models from registry entries only: fake/ test doubles only under
LUMIKB_ENV=test, each entry's own URL, its key read from the named variable at call time, and
caches that stay bounded however many entries are used. Settings refuse a fake LLM_MODEL outside
test mode, and every CLI command stops at start-up naming the variable."""

import subprocess
import sys
import types
from pathlib import Path

import pytest

from lumikb_app.adapters import litellm_chat
from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.adapters.litellm_chat import LiteLLMChatModel
from lumikb_app.container import MODEL_CACHE_SIZE, get_container, reset_container
from lumikb_app.domain.models import ModelKind, ModelSpec
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.ports.llm import LlmError
from lumikb_app.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
FAKE_CHAT = ModelSpec("f1", ModelKind.chat, "fake/instant")
FAKE_EMBEDDER = ModelSpec("f2", ModelKind.embedding, "fake/hash")


def test_fake_models_are_built_only_under_test(data_dir, monkeypatch):
    with pytest.raises(LlmError, match="LUMIKB_ENV=test"):
        get_container().chat_model_for(FAKE_CHAT)
    with pytest.raises(EmbeddingError, match="LUMIKB_ENV=test"):
        get_container().embedder_for(FAKE_EMBEDDER)
    monkeypatch.setenv("LUMIKB_ENV", "test")
    reset_container()
    assert isinstance(get_container().chat_model_for(FAKE_CHAT), FakeChatModel)
    assert isinstance(get_container().embedder_for(FAKE_EMBEDDER), FakeEmbedder)


def test_an_entry_is_called_at_its_own_url_with_the_key_its_variable_holds_at_call_time(
    data_dir, monkeypatch
):
    calls = []
    fake_library = types.SimpleNamespace(
        completion=lambda **kw: calls.append(kw) or {"choices": [{"message": {"content": "OK"}}]}
    )
    monkeypatch.setattr(litellm_chat, "_litellm", lambda: fake_library)
    spec = ModelSpec("m1", ModelKind.chat, "openai/gpt-4o", "https://llm.example", "TEAM_KEY")
    model = get_container().chat_model_for(spec)
    assert isinstance(model, LiteLLMChatModel) and model.api_base == "https://llm.example"
    monkeypatch.setenv("TEAM_KEY", "first")
    model.complete([{"role": "user", "content": "hi"}])
    monkeypatch.setenv("TEAM_KEY", "rotated")
    model.complete([{"role": "user", "content": "hi"}])
    monkeypatch.delenv("TEAM_KEY")
    model.complete([{"role": "user", "content": "hi"}])
    assert [c.get("api_key") for c in calls] == ["first", "rotated", None]
    assert {c["api_base"] for c in calls} == {"https://llm.example"}


def test_model_caches_are_bounded(data_dir, monkeypatch):
    monkeypatch.setenv("LUMIKB_ENV", "test")
    reset_container()
    container = get_container()
    specs = [ModelSpec(f"id{i}", ModelKind.chat, f"fake/n{i}") for i in range(3 * MODEL_CACHE_SIZE)]
    first = container.chat_model_for(specs[0])
    assert container.chat_model_for(specs[0]) is first  # cached while recently used
    for spec in specs:
        container.chat_model_for(spec)
        container.embedder_for(ModelSpec(spec.id, ModelKind.embedding, spec.litellm_model))
    assert len(container._chat_models) == len(container._embedders) == MODEL_CACHE_SIZE
    assert container.chat_model_for(specs[-1]) is container.chat_model_for(specs[-1])
    assert container.chat_model_for(specs[0]) is not first  # evicted, built again


@pytest.mark.parametrize("mode", ["development", "production"])
def test_settings_refuse_a_fake_llm_model_outside_test_mode(monkeypatch, mode):
    monkeypatch.setenv("LUMIKB_ENV", mode)
    monkeypatch.setenv("JWT_SECRET", "x" * 40)
    monkeypatch.setenv("LLM_MODEL", "fake/instant")
    with pytest.raises(SettingsError, match="LLM_MODEL=fake/instant is a test double"):
        load_settings()
    monkeypatch.setenv("LUMIKB_ENV", "test")
    assert load_settings().is_test


def test_production_with_a_fake_model_stops_the_migrate_command_naming_the_variable(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "LUMIKB_ENV": "production",
        "LLM_MODEL": "fake/instant",
        "JWT_SECRET": "a-random-secret-of-at-least-32-characters",
        "DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "lumikb_app", "migrate"],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode != 0
    assert "LLM_MODEL" in done.stderr and "LUMIKB_ENV=test" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no database was created


def test_a_named_variable_is_read_from_the_environment_or_the_env_file(
    data_dir, monkeypatch, tmp_path
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("FILE_KEY=from-file\n")
    monkeypatch.setenv("ENV_KEY", " from-env ")
    settings = load_settings()
    assert settings.secret("ENV_KEY") == "from-env"
    assert settings.secret("FILE_KEY") == "from-file"
    assert settings.secret("MISSING_KEY") is None and settings.secret(None) is None
