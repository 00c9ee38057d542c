"""Embedding port: text -> dense vector, for chunks (documents) and search queries.

Every adapter returns L2-normalized vectors of `dimension` floats, so a dot product
is the cosine similarity. Documents are embedded in batches; a text longer than
the model accepts is truncated (never an error). `count_tokens` counts in the
model's own tokens, so the chunker can size chunks to `max_tokens`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


class EmbeddingError(RuntimeError):
    """The embedder could not produce vectors (model files missing, provider failed, ...).

    The message is meant for a person: it says what is wrong and what to do.
    """


@runtime_checkable
class Embedder(Protocol):
    name: str
    """Stable model id, stored with every vector collection (a change means re-indexing)."""

    @property
    def dimension(self) -> int:
        """Length of every vector this embedder returns."""
        ...

    @property
    def max_tokens(self) -> int:
        """Longest text, in `count_tokens` units, that is embedded without truncation."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalized vector per text, in order; an empty input gives an empty list."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """The vector for a search query (some models embed queries differently)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model would see for `text`, without special tokens and before truncation."""
        ...

    def health(self) -> None:
        """Raise `EmbeddingError` if the embedder cannot answer."""
        ...
