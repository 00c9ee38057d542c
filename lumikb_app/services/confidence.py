"""How far to trust an answer, from 0 to 1, shown next to it.

    confidence = 0.45 * relevance + 0.20 * agreement + 0.35 * coverage

- relevance: how well the best passages match the query: the larger of the top passage's score
  (when the retriever's scores are on a 0..1 scale; fused rank scores are tiny and add little)
  and the share of the query's key terms found in the top three passages.
- agreement: the share of the top three passages that both the meaning (dense) search and the
  keyword search found: two independent signals pointing at the same text.
- coverage: the share of the answer's sentences that carry a valid citation; an answer that
  cites nothing is not backed by the documents, whatever it says.

An answer with no sources (mode "no_answer") has confidence 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.terms import key_terms

TOP = 3
W_RELEVANCE, W_AGREEMENT, W_COVERAGE = 0.45, 0.20, 0.35

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?!\[)")
_CITED = re.compile(r"\[\d+\]")


def relevance(query: str, passages: Sequence[Passage]) -> float:
    if not passages:
        return 0.0
    top = passages[:TOP]
    wanted = set(key_terms(query))
    found = set().union(*(key_terms(p.text) for p in top)) if top else set()
    term_share = len(wanted & found) / len(wanted) if wanted else 0.0
    return max(_clamp(passages[0].score), term_share)


def agreement(passages: Sequence[Passage]) -> float:
    top = passages[:TOP]
    return sum(p.semantic and p.keyword for p in top) / len(top) if top else 0.0


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
