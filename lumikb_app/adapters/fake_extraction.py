"""The fake model's answers to the graph prompts: entity extraction (services/graph/llm_prompt.py
layout) and community summaries (services/graph/community_summary.py).

Deterministic: the entities of a chunk are its PEP numbers and capitalized words (up to ten,
first seen first), related when consecutive in one sentence, each relation with that sentence
as evidence. The answer is the JSON the prompt asks for, so the extractor's whole path runs.
A community's summary is "A community about <its title>."
"""

from __future__ import annotations

import json
import re
from typing import Any

# The opening of services/graph/llm_prompt.SYSTEM_PROMPT (a test keeps the two in step).
EXTRACTION_OPENING = "You extract a knowledge graph from text chunks."
COMMUNITY_OPENING = "You summarize one community of a knowledge graph."
# Paced like a hosted small model: time to the first token, then output tokens per second.
PACED_FIRST_TOKEN_SECONDS = 0.25
PACED_TOKENS_PER_SECOND = 400.0

MAX_ENTITIES, MAX_RELATIONS = 10, 6
# PEP numbers however written (":pep:`484`", "PEP: 484", "PEP 484") are named "PEP 484", as a
# model would tidy them; other names as written.
_NAME = re.compile(r":pep:`(\d{1,4})`|\bPEP:?\s*(\d{1,4})\b|\b[A-Z][A-Za-z0-9_]{2,}\b")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]|\n|$)")
_COMMON = frozenset(
    """The This That These Those There Then When Where Which What While With Without For From
    And But Not Note See Also Its It's Into Our Some Such Each Any All Other However Because
    Since Unlike Rather Instead Here Both Only Many More Most Thus Otherwise""".split()  # noqa: SIM905
)


def is_extraction_prompt(messages: Any) -> bool:
    return bool(messages) and str(messages[0]["content"]).startswith(EXTRACTION_OPENING)


def is_community_prompt(messages: Any) -> bool:
    return bool(messages) and str(messages[0]["content"]).startswith(COMMUNITY_OPENING)


def community_answer(user_content: str) -> str:
    return f"A community about {json.loads(user_content)['title']}."


def extraction_answer(user_content: str) -> str:
    chunks = json.loads(user_content)["chunks"]
    return json.dumps({"chunks": [_chunk(c["id"], c["text"]) for c in chunks]}, indent=1)


def _chunk(chunk_id: str, text: str) -> dict[str, Any]:
    entities: dict[str, dict[str, Any]] = {}
    relations: list[dict[str, str]] = []
    for sentence in _SENTENCE.findall(text):
        names = _names(sentence)
        for name in names:
            if len(entities) < MAX_ENTITIES and name.lower() not in entities:
                entities[name.lower()] = _entity(name, sentence)
        chained = [n for n in names if n.lower() in entities]
        for source, target in zip(chained, chained[1:], strict=False):
            if len(relations) < MAX_RELATIONS and source.lower() != target.lower():
                relations.append(
                    {"source": source, "target": target, "type": "MENTIONED_WITH",
                     "evidence": " ".join(sentence.split())[:200]}
                )  # fmt: skip
    return {"id": chunk_id, "entities": list(entities.values()), "relations": relations}


def _names(sentence: str) -> list[str]:
    found = []
    for match in _NAME.finditer(sentence):
        number = match.group(1) or match.group(2)
        found.append(f"PEP {int(number)}" if number else match.group(0))
    return [name for name in found if name not in _COMMON]


def _entity(name: str, sentence: str) -> dict[str, Any]:
    kind = "pep" if name.startswith("PEP") else "name"
    context = " ".join(sentence.split()[:8])
    return {"name": name, "type": kind, "description": f"Named in: {context}", "aliases": []}


def paced_seconds(answer: str) -> float:
    return PACED_FIRST_TOKEN_SECONDS + len(answer) / 4 / PACED_TOKENS_PER_SECOND
