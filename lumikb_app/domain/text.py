"""Text people send (questions, queries, names, form fields): what can be stored and searched.

A Python string can hold what no database, index or model accepts: a NUL character, or half of
a UTF-16 surrogate pair (JSON's "\\ud800" decodes to one, and encoding it as UTF-8 fails).
Every edge (the REST models, the Reflex event guard) and the services that store text refuse it
with the same message before anything is stored.
"""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE = (
    "The text contains a character that cannot be stored "
    "(a NUL character or an unpaired UTF-16 surrogate)."
)


def text_problem(value: str, max_chars: int | None = None) -> str | None:
    """Why `value` cannot be accepted as text, or None when it can."""
    if max_chars is not None and len(value) > max_chars:
        return f"The text is too long: at most {max_chars} characters."
    return UNSTORABLE if _UNSTORABLE.search(value) else None


def storable(value: str) -> str:
    """`value` itself, or ValueError (pydantic turns it into a 422) when it cannot be stored."""
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value
