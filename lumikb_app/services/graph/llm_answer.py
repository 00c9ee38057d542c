"""Reading an extraction model's answer: repair, validate with pydantic, bound every size.

The answer is untrusted text. It must be one JSON object `{"chunks": [...]}` (a code fence or
prose around it is stripped once); anything else is `BadAnswer`. Inside a valid answer, an
entity or relation of the wrong shape is dropped on its own, lists are cut to the limits the
prompt states, and long descriptions and evidence are cut, so no model output can write an
oversized or mistyped row.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

MAX_ANSWER_CHARS = 200_000  # far above max_tokens of a real answer; a runaway fake stops here
MAX_ITEMS = 20  # entities (and relations) kept per chunk, as the prompt asks
MAX_ITEMS_HARD = 100  # more than this in one chunk: the answer is not what we asked for
MAX_NAME = 100
MAX_DESCRIPTION = 300
MAX_EVIDENCE = 300
MAX_ALIASES = 5
MAX_TYPE = 40

_ENTITY_TYPE = re.compile(rf"^[a-z][a-z0-9_]{{0,{MAX_TYPE - 1}}}$")
_RELATION_TYPE = re.compile(rf"^[A-Z][A-Z0-9_]{{0,{MAX_TYPE - 1}}}$")
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_FENCE = re.compile(r"^\s*```[A-Za-z]*\s*\n?(.*?)\n?\s*```\s*$", re.S)
DEFAULT_RELATION = "RELATED_TO"


class BadAnswer(ValueError):
    """The answer is not the JSON we asked for; the message says how (for the log)."""


def plain_text(text: str) -> str:
    """One line of printable characters: whitespace runs become one space, control and format
    characters (NUL, which PostgreSQL refuses, bidi overrides...) go."""
    return "".join(ch for ch in " ".join(text.split()) if ch.isprintable())


def _cut(limit: int) -> BeforeValidator:
    return BeforeValidator(
        lambda v: plain_text(v[: limit * 2])[:limit] if isinstance(v, str) else v
    )


def _entity_type(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    snake = _NOT_WORD.sub("_", value.strip().lower()).strip("_")
    return snake if _ENTITY_TYPE.match(snake) else ""


def _relation_type(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    snake = _NOT_WORD.sub("_", value.strip().upper()).strip("_")
    return snake if _RELATION_TYPE.match(snake) else DEFAULT_RELATION


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=True)


class AnswerEntity(_Strict):
    name: Name
    type: Annotated[str, BeforeValidator(_entity_type)] = ""
    description: Annotated[str, _cut(MAX_DESCRIPTION)] = ""
    aliases: Annotated[list[Name], Field(max_length=MAX_ALIASES)] = []


class AnswerRelation(_Strict):
    source: Name
    target: Name
    type: Annotated[str, BeforeValidator(_relation_type)] = DEFAULT_RELATION
    evidence: Annotated[str, _cut(MAX_EVIDENCE)] = ""


class AnswerChunk(_Strict):
    id: Annotated[str, Field(max_length=16)]
    entities: Annotated[list[Any], Field(max_length=MAX_ITEMS_HARD)] = []
    relations: Annotated[list[Any], Field(max_length=MAX_ITEMS_HARD)] = []


class Answer(_Strict):
    chunks: Annotated[list[AnswerChunk], Field(max_length=64)]


_ENTITY = TypeAdapter(AnswerEntity)
_RELATION = TypeAdapter(AnswerRelation)


def parse_answer(text: str) -> dict[str, tuple[list[AnswerEntity], list[AnswerRelation]]]:
    """Chunk id (as given in the prompt) -> its valid entities and relations, within limits."""
    if len(text) > MAX_ANSWER_CHARS:
        raise BadAnswer(f"the answer is {len(text)} characters long")
    try:
        answer = Answer.model_validate(_json_object(text))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BadAnswer(f"the answer does not match the schema ({where}: {first['msg']})") from None
    found: dict[str, tuple[list[AnswerEntity], list[AnswerRelation]]] = {}
    for chunk in answer.chunks:
        if chunk.id not in found:
            found[chunk.id] = (_valid(_ENTITY, chunk.entities), _valid(_RELATION, chunk.relations))
    return found


def _valid(adapter: TypeAdapter[Any], items: list[Any]) -> list[Any]:
    kept = []
    for item in items:
        try:
            kept.append(adapter.validate_python(item))
        except ValidationError:
            continue
        if len(kept) == MAX_ITEMS:
            break
    return kept


def _json_object(text: str) -> Any:
    """The answer as JSON: as is, else without a code fence, else its outermost {...}."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        raise BadAnswer("the answer holds no JSON object")
    try:
        return json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise BadAnswer(f"the answer is not valid JSON ({exc.msg} at {exc.pos})") from None
    except RecursionError:
        raise BadAnswer("the answer nests too deeply") from None
