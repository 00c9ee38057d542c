"""Counting model calls: each chat and embedding adapter reports every call to a meter.

The container gives each model it builds a meter (services/platform/usage.model_call bound to
the kind and model string); a model built without one reports nowhere. A meter is called once
per call, after it ends: whether it worked, the prompt and completion tokens, and the cost in
USD where LiteLLM knows the model's price (0 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class ModelMeter(Protocol):
    def __call__(
        self, ok: bool, prompt_tokens: int = 0, completion_tokens: int = 0, cost_usd: float = 0.0
    ) -> None: ...


def metered(meter: ModelMeter | None, call: Callable[[], T]) -> T:
    """Run one call and report whether it worked (no token counts: for models without them)."""
    try:
        result = call()
    except BaseException:
        if meter is not None:
            meter(False)
        raise
    if meter is not None:
        meter(True)
    return result


def metered_pieces(
    meter: ModelMeter | None,
    pieces: Iterator[str],
    usage: Callable[[str], tuple[int, int, float]] = lambda text: (0, 0, 0.0),
) -> Iterator[str]:
    """Pass a stream through and report it once it ends: failed if it raised, else with the
    usage `usage(answer)` works out from the text streamed (also when the reader stopped early)."""
    if meter is None:
        yield from pieces
        return
    streamed: list[str] = []
    failed = False
    try:
        for piece in pieces:
            streamed.append(piece)
            yield piece
    except Exception:
        failed = True
        raise
    finally:
        if failed:
            meter(False)
        else:
            meter(True, *_safe_usage(usage, "".join(streamed)))


def _safe_usage(
    usage: Callable[[str], tuple[int, int, float]], text: str
) -> tuple[int, int, float]:
    try:
        return usage(text)
    except Exception:  # counting tokens or pricing must never fail the answer itself
        return 0, 0, 0.0


def litellm_usage(library: Any, response: Any) -> tuple[int, int, float]:
    """Tokens from a LiteLLM response's `usage`, and its cost where LiteLLM knows the price."""
    usage = (
        response.get("usage") if isinstance(response, dict) else getattr(response, "usage", None)
    )
    read = usage.get if isinstance(usage, dict) else lambda key: getattr(usage, key, 0)
    prompt, completion = int(read("prompt_tokens") or 0), int(read("completion_tokens") or 0)
    return prompt, completion, litellm_cost(library, response=response)


def litellm_cost(
    library: Any,
    *,
    response: Any = None,
    model: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> float:
    """LiteLLM's price for a response (or for token counts of `model`); 0 for unknown models."""
    try:
        if response is not None:
            return float(library.completion_cost(completion_response=response) or 0.0)
        prompt_cost, completion_cost = library.cost_per_token(
            model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        return float(prompt_cost + completion_cost)
    except Exception:  # LiteLLM raises for models it has no price for (local ones)
        return 0.0
