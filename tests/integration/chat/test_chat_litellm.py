"""The LiteLLM chat adapter through the real library, without a network: LiteLLM's own mock
response for the streaming shape, and a refused loopback port for a model that is down."""

from __future__ import annotations

import socket

import pytest

from lumikb_app.adapters.litellm_chat import LiteLLMChatModel
from lumikb_app.ports.llm import LlmError

pytestmark = pytest.mark.integration

QUESTION = [{"role": "user", "content": "Where are vectors stored?"}]


class Mocked(LiteLLMChatModel):
    def _arguments(self, *args):
        return {**super()._arguments(*args), "mock_response": "Qdrant stores vectors [1]."}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when we leave: connections are refused


def test_the_real_library_streams_pieces_that_join_into_the_answer():
    model = Mocked("ollama/llama3.2", api_base="http://127.0.0.1:9")
    pieces = list(model.stream(QUESTION))
    assert len(pieces) > 1 and "".join(pieces) == "Qdrant stores vectors [1]."
    assert model.complete(QUESTION) == "Qdrant stores vectors [1]."


def test_a_model_that_is_down_is_an_llm_error_saying_what_to_check():
    url = f"http://127.0.0.1:{closed_port()}"
    model = LiteLLMChatModel("ollama/llama3.2", api_base=url, timeout=5)
    with pytest.raises(LlmError) as raised:
        list(model.stream(QUESTION))
    message = str(raised.value)
    assert f"ollama/llama3.2 at {url} could not be reached" in message
    assert "base URL (Admin → Models)" in message
