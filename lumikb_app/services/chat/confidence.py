"""Whether the passages can answer at all, and how far to trust an answer (0 to 1).

    confidence = 0.45 * relevance + 0.20 * agreement + 0.35 * coverage

- relevance: the share of the query's key terms that the top three passages hold (the
  retriever's scores rank passages against each other, they do not say how relevant the best
  one is, so the words are the evidence).
- agreement: half the top passage's score (fused ranks: 1 when both the meaning and the keyword
  search ranked it first) and half the share of the top three that both searches found.
- coverage: the share of the answer's sentences that carry a valid citation; an answer that
  cites nothing is not backed by the documents, whatever it says.

An answer with no sources (mode "no_answer") has confidence 0.

`answerable`: dense search always returns the nearest passages, however far they are, and a
KB's similarity threshold is 0 unless an admin raises it; so chat also wants words in common:
some passage among the top five must hold at least half of the query's key terms, and at least
two of them (so "capital of France" is not answered from "capital letters").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.retrieval.terms import key_terms

TOP = 3
ANSWERABLE_TOP = 5
MIN_TERM_SHARE = 0.5
W_RELEVANCE, W_AGREEMENT, W_COVERAGE = 0.45, 0.20, 0.35

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?!\[)")
_CITED = re.compile(r"\[\d+\]")


def answerable(query: str, passages: Sequence[Passage]) -> bool:
    wanted = set(key_terms(query))
    if not passages or not wanted:
        return bool(passages)
    best = max(len(wanted & set(key_terms(p.text))) for p in passages[:ANSWERABLE_TOP])
    return best >= min(len(wanted), max(2, math.ceil(len(wanted) * MIN_TERM_SHARE)))


def relevance(query: str, passages: Sequence[Passage]) -> float:
    wanted = set(key_terms(query))
    if not passages or not wanted:
        return 0.0
    found = set().union(*(key_terms(p.text) for p in passages[:TOP]))
    return len(wanted & found) / len(wanted)


def agreement(passages: Sequence[Passage]) -> float:
    top = passages[:TOP]
    if not top:
        return 0.0
    both = sum(p.semantic and p.keyword for p in top) / len(top)
    return 0.5 * _clamp(top[0].score) + 0.5 * both


def citation_coverage(answer: str) -> float:
    sentences = [s for s in _SENTENCE_END.split(answer.strip()) if len(s.split()) >= 3]
    if not sentences:
        return 0.0
    return sum(bool(_CITED.search(s)) for s in sentences) / len(sentences)


def confidence(query: str, passages: Sequence[Passage], answer: str) -> float:
    if not passages:
        return 0.0
    value = (
        W_RELEVANCE * relevance(query, passages)
        + W_AGREEMENT * agreement(passages)
        + W_COVERAGE * citation_coverage(answer)
    )
    return round(_clamp(value), 3)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
