"""Text -> BM25 sparse vector, shared by the edge and server vector adapters.

The encoder is Qdrant's own offline BM25 model, shipped in `qdrant-edge-py`
(`qdrant_edge.Bm25`): English word tokenizer, lowercase, stopwords, Snowball
stemmer, token ids hashed (murmur3) to non-negative 32-bit ints, and document weights
`tf * (k + 1) / (tf + k * (1 - b + b * len / avg_len))`. Query vectors weigh each
unique term 1.0. Qdrant multiplies in the IDF at search time (the sparse vector
is configured with the IDF modifier), so a query scores a point by BM25.

Both adapters use this one encoder, so a collection written by one can be read
by the other, and nothing needs an inference server or a model download.
"""

from __future__ import annotations

from dataclasses import dataclass

import qdrant_edge

K1 = 1.2
B = 0.75
AVG_DOC_TOKENS = 256.0  # a chunk of a few hundred words; only scales length normalization


@dataclass(frozen=True)
class SparseTerms:
    """Token ids (ascending, unique) and their weights."""

    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


class Bm25Encoder:
    """Deterministic text -> sparse vector encoder (same input, same ids, on every machine)."""

    def __init__(
        self,
        *,
        k1: float = K1,
        b: float = B,
        avg_len: float = AVG_DOC_TOKENS,
        language: str = "english",
    ) -> None:
        config = qdrant_edge.Bm25Config(k=k1, b=b, avg_len=avg_len, language=language)
        self._model = qdrant_edge.Bm25(config)

    def document(self, text: str) -> SparseTerms:
        """Weights for indexing: saturated term frequency, normalized by length."""
        return _terms(self._model.embed_document(text))

    def query(self, text: str) -> SparseTerms:
        """Weights for searching: 1.0 per unique term."""
        return _terms(self._model.embed_query(text))


def _terms(vector: qdrant_edge.SparseVector) -> SparseTerms:
    return SparseTerms(indices=list(vector.indices), values=list(vector.values))
