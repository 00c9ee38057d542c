"""The rows behind a search's candidates, read only as far as the search needs them.

`current` asks, in one light query (ids only), which candidates are current chunks of ready
documents in the searched KBs. `PassageRows` then reads the text, headings and names of the ones
the selection actually reaches, a batch at a time in ranking order, and finds the query words
each holds: a search that returns 8 passages out of 150 candidates reads and tokenises about 8
texts, not 150.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, KnowledgeBase
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.retrieval import snippets


def current(candidate_ids: Sequence[str], kb_ids: list[str], mime_types: list[str]) -> list:
    """(chunk id, kb id) of the candidates that are current chunks of ready documents in
    `kb_ids` (of `mime_types`, when given)."""
    statement = (
        select(Chunk.id, Chunk.kb_id)
        .join(Document, col(Document.id) == col(Chunk.document_id))
        .where(
            col(Chunk.id).in_(list(candidate_ids)),
            Chunk.version == Document.version,
            Chunk.kb_id == Document.kb_id,
            # coalesce() keeps SQLite from driving the join from the status or kb_id index
            # (a scan of every chunk in the KBs): the primary keys of the hits lead.
            func.coalesce(Document.status, "") == DocumentStatus.ready.value,
            func.coalesce(Chunk.kb_id, "").in_(kb_ids),
        )
    )
    if mime_types:
        statement = statement.where(col(Document.mime_type).in_(mime_types))
    with get_container().db.session() as session:
        return list(session.exec(statement).all())


_COLUMNS = (
    Chunk.id,
    Chunk.text,
    Chunk.page_start,
    Chunk.page_end,
    Chunk.char_start,
    Chunk.char_end,
    Chunk.heading_path,
    Document.stable_id,
    Document.version,
    Document.name,
    Document.title,
    Document.mime_type,
    Document.kb_id,
    KnowledgeBase.name,
)


class PassageRows:
    """Full rows of the ranked candidates `order`, read `batch` at a time from the first one
    asked for that is not read yet."""

    def __init__(self, order: Sequence[str], terms: list[str], batch: int) -> None:
        self._order = list(order)
        self._position = {chunk_id: i for i, chunk_id in enumerate(self._order)}
        self._terms = terms
        self._batch = max(1, batch)
        self._rows: dict[str, tuple] = {}

    def passage(
        self, chunk_id: str, *, score: float, semantic: bool, keyword: bool, via: str
    ) -> Passage:
        row = self._rows.get(chunk_id) or self._read_from(chunk_id)
        (_, text, page_start, page_end, char_start, char_end, headings) = row[:7]
        (document_id, version, document_name, title, mime_type, kb_id, kb_name) = row[7:]
        return Passage(
            chunk_id=chunk_id,
            document_id=document_id,
            version=version,
            document_name=document_name,
            kb_id=kb_id,
            kb_name=kb_name,
            mime_type=mime_type,
            text=text,
            score=round(score, 6),
            page_start=page_start,
            page_end=page_end,
            char_start=char_start,
            char_end=char_end,
            heading_path=tuple(headings or ()),
            document_title=title,
            matched_terms=snippets.matched_terms(self._terms, text),
            semantic=semantic,
            keyword=keyword,
            via=via,
        )

    def _read_from(self, chunk_id: str) -> tuple:
        start = self._position[chunk_id]
        wanted = [c for c in self._order[start:] if c not in self._rows][: self._batch]
        statement = (
            select(*_COLUMNS)  # type: ignore[call-overload]  # sqlmodel types select() for up to 4 columns
            .join(Document, Document.id == Chunk.document_id)
            .join(KnowledgeBase, KnowledgeBase.id == Chunk.kb_id)
            .where(col(Chunk.id).in_(wanted))
        )
        with get_container().db.session() as session:
            self._rows.update((row[0], tuple(row)) for row in session.exec(statement).all())
        return self._rows[chunk_id]
