"""What retrieval returns: passages with where they come from and why they matched."""

from __future__ import annotations

from dataclasses import dataclass, field


class SearchInputError(ValueError):
    """The query or its filters are not acceptable; the message is meant for a person."""


def page_label(page_start: int | None, page_end: int | None = None) -> str:
    """Where a passage is, as every page shows it: "Page 2", "Pages 2–3", "" without pages."""
    if page_start is None:
        return ""
    if page_end and page_end != page_start:
        return f"Pages {page_start}–{page_end}"
    return f"Page {page_start}"


def relevance_percent(relevance: float) -> int:
    """A passage's calibrated relevance (0..1) as the whole percentage every page shows."""
    return round(100 * min(max(relevance, 0.0), 1.0))


@dataclass(frozen=True)
class SimilarityScale:
    """What an embedding model's cosine similarity means, measured per model on real questions
    (bench/calibration.py): `unrelated` is about what a passage sharing no meaning with the
    question scores, `close` what a passage that clearly answers it scores. `calibrated` False:
    the model's cosine carries no measured meaning (the test fake's hashed words)."""

    unrelated: float
    close: float
    calibrated: bool = True


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk of a ready document the user may read."""

    chunk_id: str
    document_id: str  # the document's stable id, the same for every version
    document_name: str
    kb_id: str
    kb_name: str
    mime_type: str
    text: str
    score: float  # higher is better; comparable within one result list
    page_start: int | None = None
    page_end: int | None = None
    char_start: int = 0
    char_end: int = 0
    heading_path: tuple[str, ...] = ()
    document_title: str | None = None
    matched_terms: tuple[str, ...] = ()  # query words found in the passage (for highlighting)
    semantic: bool = False  # close in meaning: the dense similarity clears the calibrated bar
    keyword: bool = False  # the BM25 keyword search found it
    version: int = 1  # the version of the document the passage is from
    via: str = ""  # the knowledge graph brought it: "PEP 484 → TypeVar"
    # Absolute evidence, comparable across questions (unlike `score`, which is relative to the
    # best passage of this result list). `similarity`: the dense cosine similarity of question
    # and passage, None when the dense search did not find the passage. `relevance`: 0..1, a
    # calibrated estimate that the passage is about the question (see services/retrieval/
    # relevance.py), fit to show as a percentage.
    similarity: float | None = None
    relevance: float = 0.0

    @property
    def page(self) -> int | None:
        return self.page_start

    @property
    def viewer_href(self) -> str:
        """The document viewer at this passage, in this version (search results, citations and
        the API link here; a newer version, when one exists, is announced there)."""
        page = "" if self.page is None else self.page
        return f"/view/{self.document_id}?chunk={self.chunk_id}&page={page}&version={self.version}"


@dataclass(frozen=True)
class SearchResponse:
    query: str
    passages: list[Passage] = field(default_factory=list)
    took_ms: float = 0.0
    kb_ids: tuple[str, ...] = ()  # the KBs that were searched (after access filtering)
