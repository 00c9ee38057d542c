"""How relevant a passage is to the question, on an absolute scale (0..1).

A search's `score` ranks passages against each other (fused ranks: the best one is always near
1, even for "zzzqqq xylophone"). Relevance is read from evidence that means the same for every
question:

- meaning: the dense cosine similarity, placed on the embedding model's own scale
  (`SimilarityScale`: 0 at what unrelated text scores, 1 at a clear match); a passage only the
  keyword leg found scored at most the lowest similarity the dense leg returned.
- words: the share of the question's key terms the passage holds (BM25's stems).

    relevance = sigmoid(BIAS + W_MEANING * meaning + W_WORDS * words)

fit (logistic regression) on peps-eval's questions plus questions the PEPs do not answer
(bench/calibration.py --dump, 536 results of 67 questions): a passage of the PEP a question is
about against every other passage. Of the passages it put at 0.1-0.3, 17% were relevant; at
0.3-0.5, 50%; at 0.5-0.7, 69%; at 0.7-0.9, 84%; above 0.9, 91%; below 0.1, 2%. A passage is a
semantic match when its similarity reaches the scale's `close`. A model whose cosine is not calibrated
(the test fake) is read as neither close nor far: relevance then rests on the words, every
passage its dense leg found counts as semantic (as before calibration) and none is dropped.
"""

from __future__ import annotations

import math

from lumikb_app.domain.retrieval import SimilarityScale
from lumikb_app.ports.embeddings import Embedder
from lumikb_app.settings import get_settings

BIAS, W_MEANING, W_WORDS = -4.8, 3.1, 3.9
UNKNOWN_MEANING = 0.5


def scale_for(embedder: Embedder) -> SimilarityScale:
    """The model's measured scale, or the settings' generic one for a model not measured."""
    measured = getattr(embedder, "similarity_scale", None)
    if isinstance(measured, SimilarityScale):
        return measured
    settings = get_settings()
    return SimilarityScale(
        unrelated=settings.SEARCH_UNRELATED_SIMILARITY, close=settings.SEARCH_CLOSE_SIMILARITY
    )


def meaning(similarity: float | None, scale: SimilarityScale | None) -> float:
    """The similarity on the model's scale: 0 unrelated, 1 a clear match (may pass 1); for a
    model whose cosine is not calibrated, halfway (no evidence either way)."""
    if similarity is None or scale is None:
        return 0.0
    if not scale.calibrated:
        return UNKNOWN_MEANING
    span = max(scale.close - scale.unrelated, 1e-6)
    return max(0.0, (similarity - scale.unrelated) / span)


def relevance(similarity: float | None, scale: SimilarityScale | None, words: float) -> float:
    value = BIAS + W_MEANING * meaning(similarity, scale) + W_WORDS * words
    return round(1.0 / (1.0 + math.exp(-value)), 3)


def is_semantic(similarity: float | None, scale: SimilarityScale | None) -> bool:
    """Close in meaning; with an uncalibrated model, found by the dense search at all."""
    if similarity is None or scale is None:
        return False
    return similarity >= scale.close or not scale.calibrated


def may_drop(scale: SimilarityScale | None) -> bool:
    """Whether a low relevance is evidence enough to leave a passage out: not when it rests on
    an uncalibrated model's cosine."""
    return scale is None or scale.calibrated
