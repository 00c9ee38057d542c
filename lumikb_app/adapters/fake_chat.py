"""Deterministic chat model for tests and e2e runs (LLM_MODEL="fake/paced" or "fake/instant").

It answers from the numbered sources in the prompt (`services/prompts.py` layout): the first
sentence of sources 1 and 2, each followed by its marker, then a sentence citing a source that
does not exist, so that marker removal is always exercised. Asked for another version of a
drafted section (a person's instruction in the prompt), it answers shorter: source 1's first
sentence alone. Text streams in pieces of at most
four characters (markers get split across pieces, as real tokenizers do), `delay` seconds apart.
Its `complete` (the follow-up rewrite) returns the question with the previous question's topic;
given the entity extraction prompt, it answers the JSON asked for (adapters/fake_extraction.py),
after the time a hosted model would take when paced, and a community summary prompt in one line.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence

from lumikb_app.adapters.fake_extraction import (
    community_answer,
    extraction_answer,
    is_community_prompt,
    is_extraction_prompt,
    paced_seconds,
)
from lumikb_app.adapters.model_meter import ModelMeter, metered, metered_pieces
from lumikb_app.ports.llm import LlmError, LlmMessage

# The prompt layout of services/prompts.py (adapters do not import services; a test keeps the
# two in step).
SOURCES_HEADER, QUESTION_PREFIX, FOLLOW_UP_PREFIX = "Sources:", "Question: ", "Follow-up question: "
# How services/drafting/section_answer.py passes a person's instruction for a regenerated section.
INSTRUCTION_PREFIX = "The person asks for this version: "

PACED_DELAY = 0.04  # ~25 tokens/s, a local 7B model on a laptop; leaves e2e time to press Stop
_SOURCE = re.compile(
    r"^\[(\d+)\] [^\n]*\n(.*?)(?=\n\n\[\d+\] |\n\n" + QUESTION_PREFIX + ")", re.S | re.M
)
_FIRST_SENTENCE = re.compile(r".+?[.!?](?=\s|$)", re.S)
_PIECE = re.compile(r"\s*\[|\s*[^\s\[]{1,4}|\s+$")  # "[" alone: markers arrive split


def fake_model_for(model: str, meter: ModelMeter | None = None) -> FakeChatModel:
    delay = 0.0 if model == "fake/instant" else PACED_DELAY
    return FakeChatModel(delay=delay, name=model, meter=meter)


class FakeChatModel:
    def __init__(
        self,
        *,
        delay: float = PACED_DELAY,
        name: str = "fake/paced",
        fail: bool = False,
        meter: ModelMeter | None = None,
    ):
        self.name = name
        self.delay = delay
        self.fail = fail  # raise LlmError after the first pieces, as a dropped connection would
        self.calls: list[list[LlmMessage]] = []
        self.meter = meter  # fake calls are counted like real ones (Admin -> Usage)

    def stream(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 800, temperature: float = 0.1
    ) -> Iterator[str]:
        return metered_pieces(self.meter, self._stream(messages))

    def _stream(self, messages: Sequence[LlmMessage]) -> Iterator[str]:
        self.calls.append(list(messages))
        pieces = _PIECE.findall(self.answer(messages))
        for i, piece in enumerate(pieces):
            if self.fail and i == 3:
                raise LlmError("The fake model dropped the connection.")
            if self.delay:
                time.sleep(self.delay)
            yield piece

    def complete(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 200, temperature: float = 0.0
    ) -> str:
        return metered(self.meter, lambda: self._complete(messages))

    def _complete(self, messages: Sequence[LlmMessage]) -> str:
        self.calls.append(list(messages))
        if is_extraction_prompt(messages):
            answer = extraction_answer(messages[-1]["content"])
            if self.delay:
                time.sleep(paced_seconds(answer))
            return answer
        if is_community_prompt(messages):
            return community_answer(messages[-1]["content"])
        prompt = messages[-1]["content"]
        question = prompt.rsplit(FOLLOW_UP_PREFIX, 1)[-1].strip()
        previous = [
            line[len("User: ") :] for line in prompt.splitlines() if line.startswith("User: ")
        ]
        return f"{question} ({previous[-1]})" if previous else question

    def answer(self, messages: Sequence[LlmMessage]) -> str:
        prompt = messages[-1]["content"]
        if SOURCES_HEADER not in prompt:
            return "The documents do not cover this."
        sources = {int(n): text for n, text in _SOURCE.findall(prompt)}
        if MARKDOWN_WORD in prompt.rsplit(QUESTION_PREFIX, 1)[-1].lower():
            return _markdown_answer(sources)
        if any(INSTRUCTION_PREFIX in message["content"] for message in messages):
            first = min(sources)  # asked for another version: a shorter one, as a model would
            return f"{_first_sentence(sources[first])} [{first}]"
        parts = [f"{_first_sentence(sources[n])} [{n}]" for n in sorted(sources)[:2]]
        parts.append(f"This is also noted elsewhere [{len(sources) + 7}].")
        return " ".join(parts)


MARKDOWN_WORD = "markdown"  # a question holding it is answered with a list, code and a table


def _markdown_answer(sources: dict[int, str]) -> str:
    """An answer as a chat model formats one: a list, a fenced code block (holding a `[1]` that
    is code, not a marker) and a table citing its sources."""
    cited = sorted(sources)[:2]
    items = "\n".join(f"- {_first_sentence(sources[n])} [{n}]" for n in cited)
    rows = "\n".join(f"| [{n}] | {' '.join(sources[n].split()[:5])} |" for n in cited)
    code = 'def release(tag):\n    keys = ["hardware"]\n    return sign(tag, keys[1])'
    return (
        f"The sources describe it:\n\n{items}\n\nAs code:\n\n```python\n{code}\n```\n\n"
        f"| Source | Says |\n|---|---|\n{rows}\n"
    )


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = _FIRST_SENTENCE.match(flat)
    return (match.group(0) if match else flat)[:300]
