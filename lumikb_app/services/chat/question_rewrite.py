"""Turn a follow-up ("and how is it configured?") into a query retrieval can use on its own."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from lumikb_app.ports.llm import ChatModel, LlmError, LlmMessage
from lumikb_app.services.chat.prompts import rewrite_messages
from lumikb_app.services.retrieval.terms import PRONOUNS, key_terms, key_words, stem, words

log = logging.getLogger(__name__)

SHORT_QUESTION_TERMS = 1
CARRIED_TERMS = 4
MAX_QUERY_CHARS = 500
CONTINUATIONS = ("and", "also", "but", "so", "then", "what about", "how about")


def heuristic_rewrite(question: str, previous_query: str | None) -> str:
    """Add up to four key words of the previous query when the new question leans on it: it
    starts like a continuation ("and...", "what about..."), uses a pronoun ("it", "they",
    "this"...), or has at most one key term of its own. Otherwise leave it alone."""
    if not previous_query or not leans_on_previous(question):
        return question
    own = key_terms(question)
    carried = [w for w in key_words(previous_query) if stem(w) not in own][:CARRIED_TERMS]
    return f"{question} {' '.join(carried)}".strip() if carried else question


def leans_on_previous(question: str) -> bool:
    said = words(question)
    opening = " ".join(said[:2])
    return (
        len(key_terms(question)) <= SHORT_QUESTION_TERMS
        or any(w in PRONOUNS for w in said)
        or any(opening == c or opening.startswith(c + " ") for c in CONTINUATIONS)
    )


def rewrite(
    question: str,
    history: Sequence[LlmMessage],
    previous_query: str | None,
    model: ChatModel | None,
) -> str:
    """The search query for `question`; the question itself when there is no history."""
    if not history:
        return question
    if model is None:
        return heuristic_rewrite(question, previous_query)
    try:
        answer = model.complete(rewrite_messages(question, history), max_tokens=80)
    except LlmError as exc:
        log.warning("question rewrite failed, using the heuristic: %s", exc)
        return heuristic_rewrite(question, previous_query)
    return _clean(answer) or heuristic_rewrite(question, previous_query)


def _clean(answer: str) -> str:
    lines = [line.strip() for line in (answer or "").strip().splitlines() if line.strip()]
    if not lines:
        return ""
    query = lines[0].removeprefix("Query:").removeprefix("query:").strip().strip("\"'`“”")
    return query if 0 < len(query) <= MAX_QUERY_CHARS else ""
