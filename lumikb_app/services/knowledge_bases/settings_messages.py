"""KB settings validation in words: each refused value becomes a sentence about its field, as the
settings form labels it ("Chunk size must be at most 2,000 tokens."), never pydantic's
`chunk_tokens: Input should be...`. The one place that maps pydantic's errors to field messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.accounts.auth import InvalidInput


@dataclass(frozen=True)
class Field:
    label: str  # as the settings form names it
    unit: str = ""  # after a number: "tokens"
    choices: str = ""  # for a field with fixed values


FIELDS: dict[str, Field] = {
    "chunk_tokens": Field("Chunk size", unit="tokens"),
    "chunk_overlap": Field("Chunk overlap", unit="tokens"),
    "embedding_model": Field("Embedding model"),
    "top_k": Field("Results per search"),
    "similarity_threshold": Field("Similarity threshold"),
    "answer_preset": Field("Answer style", choices="concise, balanced or detailed"),
    "chat_model": Field("Chat model"),
    "graph_mode": Field("Knowledge graph", choices="off, fast or llm"),
    "graph_retrieval": Field("Graph retrieval", choices="on or off"),
}
OVERLAP = "chunk_overlap"  # the one rule across fields (KbSettings._overlap_below_half)


class InvalidSettings(InvalidInput):
    """Refused settings: `fields` maps each refused field to its sentence."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__(" ".join(fields.values()))


def validated(values: dict[str, Any]) -> KbSettings:
    """The settings, or InvalidSettings naming every refused field in words."""
    try:
        return KbSettings.model_validate(values)
    except ValidationError as exc:
        raise InvalidSettings(field_messages(exc, values)) from None


def field_messages(exc: ValidationError, values: dict[str, Any]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for error in exc.errors():
        loc = error["loc"]
        name = str(loc[0]) if loc else OVERLAP
        if name not in messages:
            messages[name] = _message(name, error, values)
    return messages


def _number(value: Any, unit: str) -> str:
    text = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return f"{text} {unit}".strip()


def _message(name: str, error: Any, values: dict[str, Any]) -> str:
    field = FIELDS.get(name, Field(name.replace("_", " ").capitalize()))
    kind, ctx = error["type"], error.get("ctx") or {}
    if not error["loc"]:
        return _overlap_message(values)
    if kind == "greater_than_equal":
        return f"{field.label} must be at least {_number(ctx['ge'], field.unit)}."
    if kind == "less_than_equal":
        return f"{field.label} must be at most {_number(ctx['le'], field.unit)}."
    if kind.startswith("int_"):
        return f"{field.label} must be a whole number" + (
            f" of {field.unit}." if field.unit else "."
        )
    if kind.startswith("float_"):
        return f"{field.label} must be a number."
    if kind == "string_too_short":
        return f"Choose a{'n' if field.label[0] in 'AEIOU' else ''} {field.label.lower()}."
    if kind == "string_too_long":
        return f"{field.label} must be at most {ctx['max_length']:,} characters."
    if field.choices:
        return f"{field.label} must be {field.choices}."
    return f"{field.label} is not valid."


def _overlap_message(values: dict[str, Any]) -> str:
    try:
        half = int(values.get("chunk_tokens", 0)) // 2
    except (TypeError, ValueError):
        return "Chunk overlap must be at most half the chunk size."
    return f"Chunk overlap must be at most half the chunk size ({half:,} tokens)."
