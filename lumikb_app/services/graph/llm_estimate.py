"""What an LLM extraction will cost before it starts: chunks, calls, tokens, time and price.

Input tokens are counted on the very prompts the extractor sends (same batching, same prompt,
same token estimate as `ChunkExtraction.tokens`); output tokens and time come from per-chunk and
per-call figures; the price from LiteLLM's bundled cost map (never fetched), None when LiteLLM
does not know the model's price.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lumikb_app.domain.graph import ChunkText
from lumikb_app.services.graph.llm_extractor import BATCH_SIZE
from lumikb_app.services.graph.llm_prompt import (
    SYSTEM_PROMPT,
    count_tokens,
    extraction_messages,
    prompt_tokens,
)

# Per chunk, the model's answer: ~10 entities with a short description and ~6 relations with
# their sentence (the fake model writes 370 on average over every 7th PEP's chunks).
OUTPUT_TOKENS_PER_CHUNK = 370
# A hosted small model: time to the first token per call, then output tokens per second.
FIRST_TOKEN_SECONDS = 0.25
OUTPUT_TOKENS_PER_SECOND = 400.0
_CHUNK_WRAPPING_CHARS = len('{"id": "1", "text": ""}, ')  # each chunk's JSON around its text


@dataclass(frozen=True)
class Estimate:
    chunks: int
    calls: int
    input_tokens: int
    output_tokens: int
    seconds: float
    cost_usd: float | None  # None: LiteLLM does not know this model's price

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def estimate(
    chunk_texts: Sequence[str], model_name: str, *, batch_size: int = BATCH_SIZE
) -> Estimate:
    """The estimate for extracting these chunks, from the prompts that would be sent."""
    input_tokens = 0
    for start in range(0, len(chunk_texts), batch_size):
        batch = [ChunkText("", text) for text in chunk_texts[start : start + batch_size]]
        input_tokens += prompt_tokens(extraction_messages(batch))
    return _estimate(len(chunk_texts), input_tokens, model_name, batch_size)


def estimate_counts(
    chunks: int, chars_per_chunk: float, model_name: str, *, batch_size: int = BATCH_SIZE
) -> Estimate:
    """The same from a chunk count and their mean length, when the texts are not at hand."""
    calls = math.ceil(chunks / batch_size)
    wrapping = count_tokens(SYSTEM_PROMPT) + count_tokens('{"chunks": []}')
    per_chunk = (chars_per_chunk + _CHUNK_WRAPPING_CHARS) / 4
    return _estimate(chunks, round(calls * wrapping + chunks * per_chunk), model_name, batch_size)


def _estimate(chunks: int, input_tokens: int, model_name: str, batch_size: int) -> Estimate:
    calls = math.ceil(chunks / batch_size)
    output_tokens = chunks * OUTPUT_TOKENS_PER_CHUNK
    seconds = calls * FIRST_TOKEN_SECONDS + output_tokens / OUTPUT_TOKENS_PER_SECOND
    cost = price_usd(model_name, input_tokens, output_tokens)
    return Estimate(chunks, calls, input_tokens, output_tokens, round(seconds, 1), cost)


def price_usd(model_name: str, input_tokens: int, output_tokens: int) -> float | None:
    """The price LiteLLM's bundled cost map gives, or None when it does not know the model."""
    try:
        prompt, completion = _litellm().cost_per_token(
            model=model_name, prompt_tokens=input_tokens, completion_tokens=output_tokens
        )
    except Exception:  # LiteLLM raises plain Exceptions for a model it has no price for
        return None
    return round(float(prompt) + float(completion), 4)


def _litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the price list
    import litellm

    litellm.suppress_debug_info = True  # no "Provider List" banner for a model it does not know
    return litellm
