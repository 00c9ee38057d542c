"""Key terms of a question or a sentence: lowercase words minus stop words, lightly stemmed."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell explain describe give show list please does say says said also may might must shall
    one ones use used using get got let lets know""".split()  # noqa: SIM905 - reads as prose
)

PRONOUNS = frozenset(
    "it its they them their theirs this that these those he she him her his there such".split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def stem(word: str) -> str:
    """Just enough folding for overlap: "stores"/"stored"/"store", "indexing"/"index"."""
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def key_words(text: str) -> list[str]:
    """Content words as written (for a search query), the first one of each stem, in order."""
    stems: set[str] = set()
    kept: list[str] = []
    for word in words(text):
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        term = stem(word)
        if term not in stems:
            stems.add(term)
            kept.append(word)
    return kept


def key_terms(text: str) -> list[str]:
    """Distinct stemmed content words, in order of first appearance."""
    return [stem(word) for word in key_words(text)]
