"""Which query words a passage holds, where they are, and the window of text to show.

Words are compared by stem through Qdrant's offline BM25 tokenizer (English
stopwords, Snowball stemmer; `qdrant_edge.Bm25`), the very tokenizer the keyword
index uses, so "running" highlights "runs" and a highlight means BM25 saw a match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import qdrant_edge

from lumikb_app.domain.retrieval import Passage

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_TOKENIZER = qdrant_edge.Bm25(qdrant_edge.Bm25Config(language="english"))
ELLIPSIS = "…"


@functools.lru_cache(maxsize=200_000)
def _stems(word: str) -> frozenset[int]:
    """Hashed stems of a word; empty for a stopword."""
    return frozenset(_TOKENIZER.embed_query(word).indices)


def query_terms(query: str) -> list[str]:
    """The distinct words of a query that are not stopwords, lowercased, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if _stems(word):
            seen.setdefault(word)
    return list(seen)


def matched_terms(terms: Sequence[str], text: str) -> tuple[str, ...]:
    """The terms (by stem) that occur in `text`."""
    present = frozenset(_TOKENIZER.embed_query(text).indices)
    return tuple(term for term in terms if _stems(term.lower()) & present)


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character ranges of the words in `text` that match a term by stem, in order."""
    wanted: set[int] = set()
    for term in terms:
        for word in _WORD.findall(term.lower()):
            wanted |= _stems(word)
    if not wanted:
        return []
    return [
        match.span() for match in _WORD.finditer(text) if _stems(match.group().lower()) & wanted
    ]


def snippet(passage: Passage, max_chars: int = 320) -> str:
    """The passage text, or the `max_chars` window of it holding the most matched terms."""
    text = " ".join(passage.text.split())
    if len(text) <= max_chars:
        return text
    spans = highlight_spans(text, passage.matched_terms)
    start = _best_window_start(text, spans, max_chars)
    end = min(len(text), start + max_chars)
    start, end = _word_bounds(text, start, end)
    return f"{ELLIPSIS if start else ''}{text[start:end]}{ELLIPSIS if end < len(text) else ''}"


def _best_window_start(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """Start of the window covering the most distinct matched words (earliest on a tie)."""
    best_start, best_count = 0, 0
    for i, (first, _) in enumerate(spans):
        words = {text[s:e].lower() for s, e in spans[i:] if e <= first + width}  # spans are sorted
        if len(words) > best_count:
            best_start, best_count = first, len(words)
    if best_count == 0:
        return 0
    # a little context before the first match
    return max(0, min(best_start - width // 6, len(text) - width))


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Move the cuts onto whitespace so no word is split."""
    if start > 0:
        space = text.find(" ", start, start + 40)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", max(start, end - 40), end)
        end = space if space != -1 else end
    return start, end
