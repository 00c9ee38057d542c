"""The graph stage of a document version: an RQ job on the `graph` queue, after indexing.

The document is searchable before this starts; the stage has its own status, progress and ETA
(graph_extractions). Each chunk's result is stored as it is found (graph_chunk_results), so a
retry or a worker killed mid-way resumes with the chunks not yet done, and the document's
contribution is then written to the graph store as a whole (`replace_document`, idempotent):
no duplicate mentions however often the job runs. A document deleted or superseded while the
job ran is taken out of the graph again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import (
    Chunk,
    Document,
    GraphChunkResult,
    GraphExtraction,
    User,
)
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.graph import (
    ChunkExtraction,
    ChunkText,
    EntityDraft,
    GraphStage,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.ports.extraction import Extractor
from lumikb_app.services.accounts import access
from lumikb_app.services.graph import communities, merge
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.platform.telemetry import INGEST_SECONDS, timed
from lumikb_app.services.platform.transactions import read_session, transaction

log = logging.getLogger(__name__)

JOB = "workers.tasks.extract_graph"
ON_FAILURE = "workers.tasks.on_graph_failure"
MERGE_SHARE = 0.05  # of the progress bar: writing the merged graph at the end
STALLED_BATCHES = 3


class GraphOff(RuntimeError):
    """The KB's graph is off, or no model can do the extraction it asks for."""


# -- queueing --------------------------------------------------------------------------------


def queue_document(document_id: str) -> bool:
    """Queue the graph stage of a ready document whose KB has the graph on; whether it did."""
    with transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.status != S.ready.value:
            return False
        mode = kb_config.settings_in(session, doc.kb_id).graph_mode
        if mode == "off":
            return False
        _reset_stage(session, doc, mode)
    _enqueue(document_id)
    return True


def queue_kb(actor: User, kb_id: str, *, force: bool = False) -> int:
    """Extract every current document of the KB (KB admin); `force` forgets finished chunks.
    Returns how many documents were queued."""
    with transaction() as session:
        access.require(session, actor, kb_id, KbRole.ADMIN)
        ids = _ready_documents(session, kb_id)
        if force:
            _forget_results(session, ids)
    return sum(queue_document(document_id) for document_id in ids)


def retry_document(actor: User, document_id: str) -> bool:
    """Run a document's graph stage again (WRITE on its KB); finished chunks are kept."""
    with read_session() as session:
        doc = session.get(Document, document_id)
        kb_id = doc.kb_id if doc is not None else ""
        access.require(session, actor, kb_id, KbRole.WRITE)
    return queue_document(document_id)


def _enqueue(document_id: str) -> None:
    try:
        get_container().jobs.enqueue(
            JOB,
            document_id,
            queue="graph",
            job_id=f"graph-{document_id}-{uuid.uuid4().hex[:8]}",
            on_failure=ON_FAILURE,
        )
    except Exception:  # the reconcile job queues it again
        log.exception("could not queue the graph stage of document %s", document_id)


def _reset_stage(session: Session, doc: Document, mode: str) -> None:
    row = session.get(GraphExtraction, doc.id) or GraphExtraction(
        document_id=doc.id, kb_id=doc.kb_id, mode=mode
    )
    row.mode, row.state, row.progress, row.eta_seconds = mode, GraphStage.queued, 0.0, None
    row.chunks_total, row.chunks_done, row.chunks_failed = doc.chunk_count, 0, 0
    row.detail, row.error, row.started_at, row.finished_at = (
        "Waiting for a worker",
        None,
        None,
        None,
    )
    row.updated_at = utcnow()
    session.add(row)


def _ready_documents(session: Session, kb_id: str) -> list[str]:
    query = select(Document.id).where(Document.kb_id == kb_id, Document.status == S.ready.value)
    return list(session.exec(query.order_by(col(Document.created_at))))


def _forget_results(session: Session, document_ids: Sequence[str]) -> None:
    for start in range(0, len(document_ids), 500):
        batch = list(document_ids[start : start + 500])
        rows = session.exec(
            select(GraphChunkResult).where(col(GraphChunkResult.document_id).in_(batch))
        )
        for row in rows:
            session.delete(row)


# -- the job ---------------------------------------------------------------------------------


@dataclasses.dataclass
class _Work:
    document_id: str
    kb_id: str
    mode: str
    title: str
    chunks: list[ChunkText]
    done: set[str]


def run(document_id: str) -> None:
    work = _begin(document_id)
    if work is None:
        return
    with timed(INGEST_SECONDS, "graph"):
        _extract(document_id, work)


def _extract(document_id: str, work: _Work) -> None:
    extractor = extractor_for(work.mode)
    todo = [chunk for chunk in work.chunks if chunk.chunk_id not in work.done]
    started, failing = time.perf_counter(), 0
    for start in range(0, len(todo), extractor.batch_size):
        results = extractor.extract(todo[start : start + extractor.batch_size])
        if not _record(work, results, start + len(results), len(todo), started):
            return _left(work)
        failing = failing + 1 if all(r.error for r in results) else 0
        if failing >= STALLED_BATCHES:  # a dead model: stop instead of waiting out every batch
            return mark_failed(
                document_id, f"The model failed {failing} times in a row: {results[-1].error}"
            )
    _write_graph(work)


def _begin(document_id: str) -> _Work | None:
    with transaction() as session:
        doc = session.get(Document, document_id)
        row = session.get(GraphExtraction, document_id)
        if doc is None or row is None or doc.status != S.ready.value:
            return None
        mode = kb_config.settings_in(session, doc.kb_id).graph_mode
        if mode == "off":
            row.state, row.detail, row.updated_at = GraphStage.ready, "The graph is off", utcnow()
            session.add(row)
            return None
        chunks = session.exec(
            select(Chunk.id, Chunk.text)
            .where(Chunk.document_id == doc.id)
            .order_by(col(Chunk.ordinal))
        ).all()
        done = set(
            session.exec(
                select(GraphChunkResult.chunk_id).where(
                    GraphChunkResult.document_id == doc.id,
                    GraphChunkResult.mode == mode,
                    col(GraphChunkResult.error).is_(None),  # a skipped chunk is tried again
                )
            )
        )
        # The file name too: it often carries the document's own number ("pep-0484.rst").
        title = " – ".join(dict.fromkeys(part for part in (doc.name, doc.title) if part))
        row.mode, row.state, row.chunks_total = mode, GraphStage.extracting, len(chunks)
        row.chunks_done, row.started_at = len(done), row.started_at or utcnow()
        row.detail, row.error, row.updated_at = "Finding entities", None, utcnow()
        session.add(row)
        texts = [ChunkText(chunk_id, text, title) for chunk_id, text in chunks]
        return _Work(doc.id, doc.kb_id, mode, title, texts, done)


def _record(
    work: _Work, results: list[ChunkExtraction], done_now: int, todo: int, started: float
) -> bool:
    """Store a batch's results and the progress; False when the document left (deleted or
    superseded) while the batch ran."""
    total = max(len(work.chunks), 1)
    finished = len(work.done) + done_now
    rate = done_now / max(time.perf_counter() - started, 1e-6)
    with transaction() as session:
        doc = session.get(Document, work.document_id)
        row = session.get(GraphExtraction, work.document_id)
        if doc is None or row is None or doc.status != S.ready.value:
            return False
        for result in results:
            session.merge(
                GraphChunkResult(
                    chunk_id=result.chunk_id,
                    document_id=work.document_id,
                    kb_id=work.kb_id,
                    mode=work.mode,
                    result=dataclasses.asdict(result),
                    error=(result.error or None) and result.error[:500],
                )
            )
        row.chunks_done = finished
        row.chunks_failed += sum(1 for r in results if r.error)
        row.tokens += sum(r.tokens for r in results)
        row.progress = round((1 - MERGE_SHARE) * finished / total, 4)
        row.eta_seconds = round((todo - done_now) / rate, 1) if rate > 0 else None
        row.detail = f"{finished} of {total} passages read ({rate:.0f}/s)"[:255]
        row.updated_at = utcnow()
        session.add(row)
    return True


def _write_graph(work: _Work) -> None:
    with read_session() as session:
        rows = session.exec(
            select(GraphChunkResult.result).where(
                GraphChunkResult.document_id == work.document_id,
                GraphChunkResult.mode == work.mode,
            )
        ).all()
    graph = merge.document_graph(_from_json(result) for result in rows)
    get_container().graph.replace_document(work.kb_id, work.document_id, graph)
    with transaction() as session:
        doc = session.get(Document, work.document_id)
        row = session.get(GraphExtraction, work.document_id)
        current = doc is not None and doc.status == S.ready.value and row is not None
        if current and row is not None:
            row.state, row.progress, row.eta_seconds = GraphStage.ready, 1.0, None
            row.detail = f"{len(graph.entities)} entities, {len(graph.relations)} relations"
            row.finished_at = row.updated_at = utcnow()
            session.add(row)
    if not current:
        return _left(work)
    _after_document(work.kb_id)


def _left(work: _Work) -> None:
    """The document left while the job ran: take out whatever it wrote (idempotent)."""
    forget_document(work.kb_id, work.document_id)
    log.info("document %s left before its graph stage ended", work.document_id)


def forget_document(kb_id: str, document_id: str) -> None:
    """Take a document (version) out of its KB's graph, and recompute the KB's communities
    in the next slot. Idempotent; for purge, superseded versions, repair and a stopped job."""
    get_container().graph.delete_document(kb_id, document_id)
    communities.schedule_quietly(kb_id)


def _after_document(kb_id: str) -> None:
    communities.schedule_quietly(kb_id)


def _from_json(data: Mapping[str, Any]) -> ChunkExtraction:
    return ChunkExtraction(
        chunk_id=data["chunk_id"],
        entities=[
            EntityDraft(**{**e, "aliases": tuple(e.get("aliases", ()))})
            for e in data.get("entities", ())
        ],
        mentions=[MentionDraft(**m) for m in data.get("mentions", ())],
        relations=[RelationDraft(**r) for r in data.get("relations", ())],
        tokens=int(data.get("tokens", 0)),
        error=data.get("error"),
    )


def mark_failed(document_id: str, reason: str) -> None:
    with transaction() as session:
        row = session.get(GraphExtraction, document_id)
        if row is None:
            return
        row.state, row.error, row.eta_seconds = GraphStage.failed, reason[:2000], None
        row.detail, row.updated_at = "Failed", utcnow()
        session.add(row)


def note_retry(document_id: str, reason: str) -> None:
    with transaction() as session:
        row = session.get(GraphExtraction, document_id)
        if row is not None:
            row.detail = f"Retrying after a temporary problem: {reason}"[:255]
            row.updated_at = utcnow()
            session.add(row)


# -- extractors ------------------------------------------------------------------------------


def extractor_for(mode: str) -> Extractor:
    if mode == "fast":
        from lumikb_app.services.graph.term_extractor import TermExtractor

        return TermExtractor()
    if mode == "llm":
        from lumikb_app.services.graph import llm_extractor

        extractor = llm_extractor.for_registry()
        if extractor is None:
            raise GraphOff("No extraction or chat model is configured for the graph.")
        return extractor
    raise GraphOff("The knowledge graph is off for this knowledge base.")
