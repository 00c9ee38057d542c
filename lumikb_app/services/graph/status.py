"""Where the knowledge graph of a KB stands: per document (the documents page's graph stage) and
per KB (the status card in KB settings), read from the graph_extractions rows the extraction job
writes and from the graph store's counts.

`document_stages(session, ...)` is a building block the documents listing calls inside its read;
`kb_status` and `extraction_estimate` act for a user and check access themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session, col, func, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, GraphExtraction, KnowledgeBase, Model, User
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.graph import GraphStage
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import ModelKind
from lumikb_app.services.accounts.access import require
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.models.choices import default_id
from lumikb_app.services.platform.transactions import read_session

if TYPE_CHECKING:
    from lumikb_app.services.graph.llm_estimate import Estimate

FAILED_SHOWN = 5  # failed documents named on the status card; the count covers the rest


@dataclass(frozen=True)
class DocumentGraphStage:
    """The graph stage of one document version, as the documents page shows it."""

    state: str  # queued | extracting | ready | failed
    mode: str = ""
    progress: float = 0.0
    eta_seconds: float | None = None
    detail: str = ""
    chunks_total: int = 0
    chunks_done: int = 0
    chunks_failed: int = 0
    error: str = ""

    @property
    def working(self) -> bool:
        return self.state in GraphStage.WORKING


WAITING = DocumentGraphStage(state=GraphStage.queued, detail="Waiting to start")  # no row yet


@dataclass(frozen=True)
class FailedDocument:
    document_id: str
    name: str
    error: str


@dataclass(frozen=True)
class GraphKbStatus:
    mode: str  # off | fast | llm
    retrieval: bool  # graph results fused into search and chat by default
    entities: int
    relations: int
    mentions: int
    communities: int
    documents_ready: int  # current ready documents
    documents_done: int  # of those, with a finished graph stage
    documents_extracting: int  # queued or extracting now
    extracting_progress: float  # 0..1 over the documents extracting now
    chunks_failed: int
    documents_failed: int
    failed: list[FailedDocument]  # the first FAILED_SHOWN of them
    last_extracted_at: datetime | None
    tokens: int  # spent by LLM extraction on the current documents
    llm_model: str  # the registry model LLM extraction would use; "" when there is none


def _stage(row: GraphExtraction) -> DocumentGraphStage:
    return DocumentGraphStage(
        state=row.state,
        mode=row.mode,
        progress=max(0.0, min(1.0, row.progress or 0.0)),
        eta_seconds=row.eta_seconds,
        detail=row.detail or "",
        chunks_total=row.chunks_total,
        chunks_done=row.chunks_done,
        chunks_failed=row.chunks_failed,
        error=row.error or "",
    )


def graph_on(kb: KnowledgeBase) -> bool:
    """Whether the KB's knowledge graph is on."""
    return KbSettings.model_validate(kb.settings).graph_mode != "off"


def document_stages(session: Session, document_ids: Sequence[str]) -> dict[str, DocumentGraphStage]:
    """The graph stage of each document that has one (building block: the caller checked access)."""
    if not document_ids:
        return {}
    rows = session.exec(
        select(GraphExtraction).where(col(GraphExtraction.document_id).in_(list(document_ids)))
    )
    return {row.document_id: _stage(row) for row in rows}


def _current_rows(session: Session, kb_id: str) -> list[tuple[GraphExtraction, str]]:
    """The graph stages of the KB's current (ready) documents, with the documents' names."""
    statement = (
        select(GraphExtraction, col(Document.name))
        .join(Document, col(Document.id) == col(GraphExtraction.document_id))
        .where(GraphExtraction.kb_id == kb_id, Document.status == S.ready.value)
        .order_by(col(Document.name))
    )
    return [(row, name) for row, name in session.exec(statement)]


def _progress(rows: Sequence[GraphExtraction]) -> float:
    total = sum(row.chunks_total for row in rows)
    if total:
        return min(1.0, sum(row.chunks_done for row in rows) / total)  # failed ones count as done
    return sum(row.progress for row in rows) / len(rows) if rows else 0.0


def kb_status(user: User, kb_id: str) -> GraphKbStatus:
    """The KB's graph at a glance, for anyone who may read the KB."""
    with read_session() as session:
        require(session, user, kb_id, KbRole.READ)
        settings = KbSettings.model_validate(session.get_one(KnowledgeBase, kb_id).settings)
        ready = kb_config.count_ready(session, kb_id)
        rows = _current_rows(session, kb_id)
        llm_model = extraction_model_name(session) or ""
    stats = get_container().graph.stats(kb_id)  # a graph server is never asked inside a unit
    working = [row for row, _ in rows if row.state in GraphStage.WORKING]
    failed = [FailedDocument(row.document_id, name, row.error or "") for row, name in rows
              if row.state == GraphStage.failed]  # fmt: skip
    finished = [row.finished_at for row, _ in rows if row.finished_at is not None]
    return GraphKbStatus(
        mode=settings.graph_mode,
        retrieval=settings.graph_retrieval,
        entities=stats.entities,
        relations=stats.relations,
        mentions=stats.mentions,
        communities=stats.communities,
        documents_ready=ready,
        documents_done=sum(1 for row, _ in rows if row.state == GraphStage.ready),
        documents_extracting=len(working),
        extracting_progress=_progress(working),
        chunks_failed=sum(row.chunks_failed for row, _ in rows),
        documents_failed=len(failed),
        failed=failed[:FAILED_SHOWN],
        last_extracted_at=max(finished) if finished else None,
        tokens=sum(row.tokens for row, _ in rows if row.mode == "llm"),
        llm_model=llm_model,
    )


def extraction_model(session: Session) -> Model | None:
    """The registry entry LLM extraction uses: the default extraction model, else the default
    chat model (llm_extractor.extraction_model). Building block."""
    model_id = default_id(session, ModelKind.extraction) or default_id(session, ModelKind.chat)
    return session.get(Model, model_id) if model_id else None


def extraction_model_name(session: Session) -> str | None:
    entry = extraction_model(session)
    return entry.name if entry is not None else None


def extraction_estimate(user: User, kb_id: str) -> Estimate:
    """What extracting the KB's current documents with the language model would take (KB
    admin): shown for confirmation before an LLM extraction starts."""
    with read_session() as session:
        require(session, user, kb_id, KbRole.ADMIN)
        entry = extraction_model(session)
        chunks, mean_chars = session.exec(
            select(func.count(), func.avg(func.length(Chunk.text)))
            .join(Document, col(Document.id) == col(Chunk.document_id))
            .where(Chunk.kb_id == kb_id, Document.status == S.ready.value)
        ).one()
    from lumikb_app.services.graph import llm_estimate  # loads LiteLLM's price map: on demand

    model = entry.litellm_model if entry is not None else ""  # no model: no price
    return llm_estimate.estimate_counts(int(chunks), float(mean_chars or 0), model)
