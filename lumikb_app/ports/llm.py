"""Chat model port: messages in, text out, streamed token by token (LiteLLM in production)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, TypedDict


class LlmMessage(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class LlmError(RuntimeError):
    """The model could not answer; the message says what is wrong and what to do."""


class ChatModel(Protocol):
    name: str

    def stream(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 800, temperature: float = 0.1
    ) -> Iterator[str]:
        """Text pieces as the model produces them; raise `LlmError` on failure."""
        ...

    def complete(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 200, temperature: float = 0.0
    ) -> str: ...
