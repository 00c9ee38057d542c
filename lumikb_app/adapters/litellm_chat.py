"""Any LiteLLM chat model behind the chat port (Ollama, OpenAI-compatible servers, a proxy...).

`model` is a LiteLLM model string such as "ollama/llama3.2" or "gpt-4o-mini"; `api_base` is the
registry entry's base URL (an Ollama URL or a LiteLLM proxy). Failures become `LlmError` with a
message a person can act on; the provider's own text is kept short.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from lumikb_app.adapters.litellm_embedder import ApiKey, _litellm, api_key_now
from lumikb_app.adapters.model_meter import ModelMeter, litellm_cost, litellm_usage, metered_pieces
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.ports.llm import LlmError, LlmMessage

_HINTS = {  # most specific first: a Timeout is also an APIConnectionError
    "Timeout": "took too long to answer; try again, or use a faster model",
    "APIConnectionError": "could not be reached; check that it is running and that its base URL "
    "(Admin → Models) is right",
    "AuthenticationError": "refused the credentials; check the key variable named in Admin → Models",
    "PermissionDeniedError": "refused the request; check its key (Admin → Models) and the model's "
    "access",
    "NotFoundError": "does not exist there; check its model string in Admin → Models (for Ollama, "
    "run `ollama pull` first)",
    "RateLimitError": "is rate limited; wait a moment and try again",
    "ContextWindowExceededError": "cannot read that much text at once; ask a narrower question",
    "BadRequestError": "rejected the request; check that its entry in Admin → Models names a "
    "chat model",
    "ServiceUnavailableError": "is unavailable right now; try again shortly",
    "InternalServerError": "failed on its side; try again shortly",
}
_DETAIL_CHARS = 200


class LiteLLMChatModel:
    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: ApiKey = None,
        timeout: float = 120.0,
        meter: ModelMeter | None = None,
    ) -> None:
        if not model:
            raise ValueError("a chat model name is required")
        self.name = model
        self.api_base = api_base or None
        self._api_key = api_key or None
        self.timeout = timeout
        self.meter = meter

    def stream(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 800, temperature: float = 0.1
    ) -> Iterator[str]:
        pieces = self._stream(messages, max_tokens, temperature)
        return metered_pieces(self.meter, pieces, lambda answer: self._usage(messages, answer))

    def _stream(
        self, messages: Sequence[LlmMessage], max_tokens: int, temperature: float
    ) -> Iterator[str]:
        try:
            chunks = self._library().completion(
                **self._arguments(messages, max_tokens, temperature), stream=True
            )
            for chunk in chunks:
                text = _delta_text(chunk)
                if text:
                    yield text
        except LlmError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc

    def complete(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 200, temperature: float = 0.0
    ) -> str:
        try:
            library = self._library()
            response = library.completion(**self._arguments(messages, max_tokens, temperature))
            text = _message_text(response)
        except Exception as exc:
            if self.meter is not None:
                self.meter(False)
            if isinstance(exc, LlmError):
                raise
            raise self._error(exc) from exc
        if self.meter is not None:
            self.meter(True, *litellm_usage(library, response))
        return text

    def _usage(self, messages: Sequence[LlmMessage], answer: str) -> tuple[int, int, float]:
        """A stream carries no usage: count its tokens with LiteLLM's tokenizer for the model."""
        library = self._library()
        prompt = int(library.token_counter(model=self.name, messages=[dict(m) for m in messages]))
        completion = int(library.token_counter(model=self.name, text=answer)) if answer else 0
        cost = litellm_cost(
            library, model=self.name, prompt_tokens=prompt, completion_tokens=completion
        )
        return prompt, completion, cost

    def _arguments(
        self, messages: Sequence[LlmMessage], max_tokens: int, temperature: float
    ) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self.name,
            "messages": [dict(m) for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "timeout": self.timeout,
        }
        if self.api_base:
            arguments["api_base"] = self.api_base
        key = api_key_now(self._api_key)
        if key:
            arguments["api_key"] = key
        return arguments

    @staticmethod
    def _library() -> Any:
        try:
            library = _litellm()
        except EmbeddingError as exc:
            raise LlmError("LiteLLM is not installed: install the `litellm` package.") from exc
        library.suppress_debug_info = True  # its "Give Feedback" banner on every error
        return library

    def _error(self, exc: Exception) -> LlmError:
        where = f" at {self.api_base}" if self.api_base else ""
        kind = next((k for k in _HINTS if _is_kind(exc, k)), None)
        hint = _HINTS[kind] if kind else "failed"
        detail = " ".join(str(exc).split())[:_DETAIL_CHARS]
        return LlmError(
            f"The language model {self.name}{where} {hint}."
            + (f" ({type(exc).__name__}: {detail})" if detail else "")
        )


def _is_kind(exc: Exception, kind: str) -> bool:
    return any(cls.__name__ == kind for cls in type(exc).__mro__)


def _delta_text(chunk: Any) -> str:
    choices = chunk["choices"] if isinstance(chunk, dict) else getattr(chunk, "choices", None)
    if not choices:
        return ""
    delta = choices[0]["delta"] if isinstance(choices[0], dict) else choices[0].delta
    content = delta.get("content") if isinstance(delta, dict) else getattr(delta, "content", None)
    return content or ""


def _message_text(response: Any) -> str:
    choices = response["choices"] if isinstance(response, dict) else response.choices
    message = choices[0]["message"] if isinstance(choices[0], dict) else choices[0].message
    content = message.get("content") if isinstance(message, dict) else message.content
    return content or ""
