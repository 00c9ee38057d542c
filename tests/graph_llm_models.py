"""Extraction models at the port for the LLM extractor's tests: scripted answers, or the fake."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence

from lumikb_app.ports.llm import LlmError, LlmMessage

Answer = str | Exception | Callable[[list[dict]], str]


class ScriptedModel:
    """Answers each call with the next script item: a text, an exception to raise, or a
    function of the prompt's chunks ([{"id", "text"}]) returning the text."""

    name = "scripted/extractor"

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.calls: list[list[LlmMessage]] = []

    def complete(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 200, temperature: float = 0.0
    ) -> str:
        self.calls.append(list(messages))
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(prompt_chunks(messages))
        return answer

    def stream(
        self, messages: Sequence[LlmMessage], *, max_tokens: int = 800, temperature: float = 0.1
    ) -> Iterator[str]:
        raise LlmError("an extraction model is not streamed")


def prompt_chunks(messages: Sequence[LlmMessage]) -> list[dict]:
    return json.loads(messages[-1]["content"])["chunks"]


def answer(*chunks: dict) -> str:
    return json.dumps({"chunks": list(chunks)})


def entity(name: str, type_: str = "concept", description: str = "", **extra) -> dict:
    return {"name": name, "type": type_, "description": description, **extra}


def relation(source: str, target: str, type_: str = "USES", evidence: str = "") -> dict:
    return {"source": source, "target": target, "type": type_, "evidence": evidence}
