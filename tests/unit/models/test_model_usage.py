"""Every model the container builds reports each call to the usage counter: fake models count
calls, LiteLLM models their tokens from the response's usage (a stream: counted with LiteLLM's
tokenizer) and the cost LiteLLM knows for the model; failures count as errors."""

import types

import pytest

from lumikb_app.adapters import litellm_chat, litellm_embedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.domain.models import ModelKind, ModelSpec
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.ports.llm import LlmError
from lumikb_app.services.platform import usage

pytestmark = pytest.mark.unit

HELLO = [{"role": "user", "content": "hello"}]


@pytest.fixture
def noted(data_dir, monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(usage, "note", lambda *args: calls.append(args))
    return calls


def _library(**overrides):
    def completion(**kwargs):
        if kwargs.get("stream"):
            return iter([{"choices": [{"delta": {"content": "Hi there"}}]}])
        return {
            "choices": [{"message": {"content": "Hi"}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3},
        }

    library = dict(
        completion=completion,
        completion_cost=lambda completion_response: 0.25,
        cost_per_token=lambda **kw: (0.01, 0.02),
        token_counter=lambda model, messages=None, text=None: 7 if messages else 2,
        embedding=lambda **kw: {
            "data": [{"index": 0, "embedding": [1.0, 0.0]}],
            "usage": {"prompt_tokens": 4},
        },
    )
    library.update(overrides)
    return types.SimpleNamespace(**library)


def test_fake_models_count_each_call(noted, monkeypatch):
    monkeypatch.setenv("LUMIKB_ENV", "test")
    reset_container()
    chat = get_container().chat_model_for(ModelSpec("c", ModelKind.chat, "fake/instant"))
    embedder = get_container().embedder_for(ModelSpec("e", ModelKind.embedding, "fake/hash"))
    chat.complete(HELLO)
    list(chat.stream(HELLO))
    embedder.embed_query("hello")
    assert [call[:3] for call in noted] == [
        ("llm", "fake/instant", True),
        ("llm", "fake/instant", True),
        ("embedding", "fake/hash", True),
    ]


def test_litellm_calls_report_tokens_cost_and_errors(noted, monkeypatch):
    monkeypatch.setattr(litellm_chat, "_litellm", lambda: _library())
    chat = get_container().chat_model_for(ModelSpec("m", ModelKind.chat, "openai/gpt-4o-mini"))
    assert chat.complete(HELLO) == "Hi"
    assert "".join(chat.stream(HELLO)) == "Hi there"

    def refused(**kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(litellm_chat, "_litellm", lambda: _library(completion=refused))
    with pytest.raises(LlmError):
        chat.complete(HELLO)
    assert noted == [
        ("llm", "openai/gpt-4o-mini", True, 12, 3, 0.25),
        ("llm", "openai/gpt-4o-mini", True, 7, 2, pytest.approx(0.03)),
        ("llm", "openai/gpt-4o-mini", False, 0, 0, 0.0),
    ]


def test_embedding_calls_report_their_tokens_and_failures(noted, monkeypatch):
    spec = ModelSpec("e", ModelKind.embedding, "openai/text-embedding-3-small")
    monkeypatch.setattr(litellm_embedder, "_litellm", lambda: _library(token_counter=lambda **k: 1))
    embedder = get_container().embedder_for(spec)
    embedder.embed_query("hello")

    def down(**kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(litellm_embedder, "_litellm", lambda: _library(embedding=down))
    with pytest.raises(EmbeddingError):
        embedder.embed_query("hello")
    assert [call[:4] for call in noted] == [
        ("embedding", "openai/text-embedding-3-small", True, 4),
        ("embedding", "openai/text-embedding-3-small", False, 0),
    ]


def test_a_model_without_a_price_costs_nothing_instead_of_failing(noted, monkeypatch):
    def unknown(**kwargs):
        raise ValueError("model not mapped")

    library = _library(completion_cost=lambda completion_response: unknown())
    monkeypatch.setattr(litellm_chat, "_litellm", lambda: library)
    chat = get_container().chat_model_for(ModelSpec("o", ModelKind.chat, "ollama/llama3.2"))
    assert chat.complete(HELLO) == "Hi"
    assert noted == [("llm", "ollama/llama3.2", True, 12, 3, 0.0)]


def test_the_built_in_embedder_counts_its_calls_and_tokens(noted, monkeypatch):
    from lumikb_app.domain.models import BUILTIN_EMBEDDER

    embedder = get_container().embedder_for(BUILTIN_EMBEDDER)
    embedder.embed_query("hello world")
    embedder.embed_documents([])  # nothing to embed: no call
    assert len(noted) == 1
    kind, model, ok, tokens = noted[0][:4]
    assert (kind, model, ok) == ("embedding", BUILTIN_EMBEDDER.litellm_model, True)
    assert tokens == 4  # [CLS] hello world [SEP]
