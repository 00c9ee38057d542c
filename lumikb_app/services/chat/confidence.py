"""Whether the passages can answer at all, and how far to trust an answer (0 to 1).

    confidence = evidence * (0.6 + 0.4 * coverage) * (0.7 + 0.3 * terms) * complete

- evidence: the best relevance among the top three passages, the search's calibrated estimate
  (services/retrieval/relevance.py) that a passage is about the question. It is absolute: a
  passage that only ranks first among unrelated ones has a low relevance, so the answer cannot
  be trusted more than its best source.
- coverage: the share of the answer's sentences (code blocks aside) that carry a valid
  citation; an answer that cites nothing is not backed by the documents, whatever it says.
- terms: the share of the question's key terms the top three passages hold.
- complete: 0.5 when the answer announces something it does not show ("...the following
  regular expression:" and nothing after it), else 1.

An answer with no sources (mode "no_answer") has confidence 0. With the state's levels (High
from 0.7, Medium from 0.4), High needs a source more likely relevant than not, cited.

`answerable`: dense search always returns the nearest passages, however far they are; chat
answers only when some passage among the top five is relevant enough (MIN_RELEVANCE) and holds
at least half of the question's key terms, and at least two of them (so "capital of France" is
not answered from "capital letters").
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
# Measured with bench/calibration.py on the PEPs: the best passage for a question they do not
# answer has a relevance of 0.0-0.25 (0.64 once, from shared words), for one they answer 0.43+.
MIN_RELEVANCE = 0.3
STRONG_TERM_SHARE = 2 / 3
INCOMPLETE = 0.5

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?!\[)")
_CITED = re.compile(r"\[\d+\]")
_FENCED = re.compile(r"^(`{3,})[^\n]*\n.*?^\1`*[ \t]*$", re.MULTILINE | re.DOTALL)
_ANNOUNCES = re.compile(r":(?:\s*\[\d+\])*[ \t]*$")
_SHOWN_NEXT = re.compile(r"^(?:`{3}|\s|[-*+\u2022] |\d{1,3}[.)] |\|)")


def answerable(query: str, passages: Sequence[Passage]) -> bool:
    top = passages[:ANSWERABLE_TOP]
    if not top:
        return False
    wanted = set(key_terms(query))
    if not wanted:
        return max(p.relevance for p in top) >= MIN_RELEVANCE
    best = max(len(wanted & set(key_terms(p.text))) for p in top)
    if best < min(len(wanted), max(2, math.ceil(len(wanted) * MIN_TERM_SHARE))):
        return False
    # A passage holding most of the question's words answers it even when the embedder puts it
    # far in meaning (questions naming two PEPs score low cosines); its confidence stays low.
    strong_words = best >= max(3, math.ceil(len(wanted) * STRONG_TERM_SHARE))
    return strong_words or max(p.relevance for p in top) >= MIN_RELEVANCE


def evidence(passages: Sequence[Passage]) -> float:
    return max((_clamp(p.relevance) for p in passages[:TOP]), default=0.0)


def term_share(query: str, passages: Sequence[Passage]) -> float:
    wanted = set(key_terms(query))
    if not passages or not wanted:
        return 0.0
    found = set().union(*(key_terms(p.text) for p in passages[:TOP]))
    return len(wanted & found) / len(wanted)


def citation_coverage(answer: str) -> float:
    prose = _FENCED.sub(" ", answer).strip()
    sentences = [s for s in _SENTENCE_END.split(prose) if len(s.split()) >= 3]
    if not sentences:
        return 0.0
    return sum(bool(_CITED.search(s)) for s in sentences) / len(sentences)


def announces_missing(answer: str) -> bool:
    """A line ends with a colon (and its citations) and no block, list or table follows it."""
    lines = _FENCED.sub("```", answer).rstrip().split("\n")
    for i, line in enumerate(lines):
        if not _ANNOUNCES.search(line):
            continue
        after = next((rest for rest in lines[i + 1 :] if rest.strip()), None)
        if after is None or not _SHOWN_NEXT.match(after):
            return True
    return False


def confidence(query: str, passages: Sequence[Passage], answer: str) -> float:
    if not passages:
        return 0.0
    value = (
        evidence(passages)
        * (0.6 + 0.4 * citation_coverage(answer))
        * (0.7 + 0.3 * term_share(query, passages))
        * (INCOMPLETE if announces_missing(answer) else 1.0)
    )
    return round(_clamp(value), 3)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
