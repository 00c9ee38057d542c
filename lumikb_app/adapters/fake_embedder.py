"""Deterministic fake embedder for tests: hashed bag of words, no model, no network.

Each lowercase word (letters and digits) adds +-1 to one of `dimension` slots chosen
by a stable hash (blake2b, so the same on every machine and run), and the sum is
L2-normalized. Texts that share words therefore score higher than texts that do
not, which is enough for retrieval tests. A text without words maps to a fixed
unit vector, never to zeros (cosine with a zero vector is undefined).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from lumikb_app.adapters.model_meter import ModelMeter, metered
from lumikb_app.domain.retrieval import SimilarityScale

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class FakeEmbedder:
    """Hash-based bag-of-words vectors; `calls` counts embed calls, for assertions."""

    # Hashed words, stopwords included, in 64 slots: "capital of Australia" scores 0.3 against a
    # text about backups, a question about backups 0.05-0.35. Its cosine measures nothing.
    similarity_scale = SimilarityScale(unrelated=0.0, close=0.0, calibrated=False)

    def __init__(
        self,
        dimension: int = 64,
        *,
        max_tokens: int = 512,
        name: str | None = None,
        meter: ModelMeter | None = None,
    ):
        if dimension < 2:
            raise ValueError("dimension must be at least 2")
        self._dimension = dimension
        self._max_tokens = max_tokens
        self.name = name or f"fake-hash-{dimension}"
        self.calls = 0
        self.meter = meter  # fake calls are counted like real ones (Admin -> Usage)

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return metered(self.meter, lambda: [self._vector(text) for text in texts])

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return metered(self.meter, lambda: self._vector(text))

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    def health(self) -> None:
        return None

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self._dimension
        for word in _WORD.findall(text.lower())[: self._max_tokens]:
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[value % self._dimension] += 1.0 if (value >> 63) & 1 else -1.0
        norm = math.sqrt(sum(x * x for x in vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return [x / norm for x in vector]
