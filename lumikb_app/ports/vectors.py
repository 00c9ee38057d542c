"""Vector index port: dense + BM25 sparse vectors in one point, filtered by `kb_id`."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

SearchMode = Literal["dense", "sparse", "hybrid"]


@dataclass(frozen=True)
class VectorPoint:
    id: str  # a UUID string; callers derive it deterministically (uuid5)
    dense: Sequence[float]
    text: str  # indexed as a BM25 sparse vector
    payload: dict[str, Any] = field(default_factory=dict)  # must hold kb_id and document_id


@dataclass(frozen=True)
class VectorHit:
    id: str
    score: float
    payload: dict[str, Any]


class VectorIndex(Protocol):
    embedded: bool

    def ensure_collection(self, name: str, dim: int) -> None: ...

    def list_collections(self) -> list[str]:
        """Names of the existing collections, sorted."""
        ...

    def upsert(self, name: str, points: Sequence[VectorPoint]) -> None: ...

    def delete_document(self, name: str, document_id: str) -> None: ...

    def search(
        self,
        name: str,
        *,
        kb_ids: Sequence[str],
        dense: Sequence[float] | None = None,
        text: str | None = None,
        limit: int = 10,
        mode: SearchMode = "hybrid",
    ) -> list[VectorHit]: ...

    def count(
        self, name: str, *, kb_ids: Sequence[str] | None = None, document_id: str | None = None
    ) -> int: ...

    def document_ids(self, name: str, *, kb_ids: Sequence[str] | None = None) -> set[str]:
        """The distinct `document_id` payload values in the collection (only `kb_ids`' if given)."""
        ...

    def optimize(self, name: str) -> None: ...

    def health(self) -> None:
        """Raise if the backend cannot answer."""

    def close(self) -> None: ...
