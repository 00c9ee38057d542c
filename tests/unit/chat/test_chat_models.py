"""The chat model adapters: LiteLLM (its completion call faked, no network) and the fake."""

import types

import pytest

from lumikb_app.adapters import litellm_chat
from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.adapters.litellm_chat import LiteLLMChatModel
from lumikb_app.domain.retrieval import Passage
from lumikb_app.ports.llm import LlmError
from lumikb_app.services.chat.citations import verify_text
from lumikb_app.services.chat.prompts import answer_messages, rewrite_messages

pytestmark = pytest.mark.unit

MESSAGES = [{"role": "user", "content": "hi"}]


def chunk(text):
    delta = types.SimpleNamespace(content=text)
    return types.SimpleNamespace(choices=[types.SimpleNamespace(delta=delta)])


class FakeLiteLLM:
    def __init__(self, stream=(), error=None, fail_after=None):
        self.stream, self.error, self.fail_after, self.calls = stream, error, fail_after, []

    def completion(self, **kwargs):
        self.calls.append(kwargs)
        if self.error and self.fail_after is None:
            raise self.error
        if not kwargs.get("stream"):
            message = types.SimpleNamespace(content=" standalone query \n")
            return types.SimpleNamespace(choices=[types.SimpleNamespace(message=message)])
        return self._chunks()

    def _chunks(self):
        for i, piece in enumerate(self.stream):
            if self.fail_after == i:
                raise self.error
            yield piece


def install(monkeypatch, fake):
    monkeypatch.setattr(litellm_chat, "_litellm", lambda: fake)
    return fake


def test_it_streams_the_delta_text_and_passes_the_settings(monkeypatch):
    fake = install(monkeypatch, FakeLiteLLM([chunk("Hel"), chunk(None), chunk("lo [1]")]))
    model = LiteLLMChatModel("ollama/llama3.2", api_base="http://llm:11434", api_key="k")
    assert list(model.stream(MESSAGES, max_tokens=50)) == ["Hel", "lo [1]"]
    call = fake.calls[0]
    assert call["model"] == "ollama/llama3.2" and call["stream"] is True
    assert (call["api_base"], call["api_key"], call["max_tokens"]) == ("http://llm:11434", "k", 50)
    assert call["messages"] == MESSAGES


def test_complete_returns_the_message_text(monkeypatch):
    install(monkeypatch, FakeLiteLLM())
    assert LiteLLMChatModel("gpt-4o-mini").complete(MESSAGES) == " standalone query \n"


def named_error(name, base=Exception):
    return type(name, (base,), {})


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (named_error("APIConnectionError")("refused"), "could not be reached"),
        (named_error("Timeout", named_error("APIConnectionError"))("slow"), "took too long"),
        (named_error("AuthenticationError")("bad key"), "key variable named in Admin → Models"),
        (named_error("NotFoundError")("no model"), "ollama pull"),
        (RuntimeError("boom"), "failed"),
    ],
)
def test_failures_become_llm_errors_a_person_can_act_on(monkeypatch, error, says):
    install(monkeypatch, FakeLiteLLM(error=error))
    model = LiteLLMChatModel("ollama/llama3.2", api_base="http://llm:11434")
    with pytest.raises(LlmError) as raised:
        list(model.stream(MESSAGES))
    assert says in str(raised.value)
    assert "ollama/llama3.2 at http://llm:11434" in str(raised.value)
    with pytest.raises(LlmError):
        model.complete(MESSAGES)


def test_a_failure_mid_stream_is_an_llm_error_too(monkeypatch):
    error = named_error("APIConnectionError")("reset by peer")
    install(monkeypatch, FakeLiteLLM([chunk("a"), chunk("b")], error=error, fail_after=1))
    stream = LiteLLMChatModel("ollama/llama3.2").stream(MESSAGES)
    assert next(stream) == "a"
    with pytest.raises(LlmError, match="could not be reached"):
        next(stream)


def test_the_fake_model_reads_the_real_prompt_layout():
    passages = [
        Passage("c1", "d1", "a.md", "k", "KB", "text/markdown", "Qdrant stores vectors. More.", 1),
        Passage("c2", "d2", "b.md", "k", "KB", "text/markdown", "Redis caches results! More.", 1),
    ]
    model = FakeChatModel(delay=0)
    pieces = list(model.stream(answer_messages("where?", passages, [])))
    text, cited = verify_text("".join(pieces), {1, 2})
    assert (
        text == "Qdrant stores vectors. [1] Redis caches results! [2] This is also noted elsewhere."
    )
    assert cited == [1, 2]
    assert " [" in pieces and all(len(p.strip()) <= 4 for p in pieces)
    history = [
        {"role": "user", "content": "where are vectors"},
        {"role": "assistant", "content": "Qdrant"},
    ]
    assert (
        model.complete(rewrite_messages("is it fast?", history))
        == "is it fast? (where are vectors)"
    )
