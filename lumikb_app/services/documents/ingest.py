"""The ingestion pipeline for one document: parse -> chunk -> embed -> index -> ready.

Idempotent and resumable: finished steps are recorded on the document and skipped on a retry,
chunk rows are replaced as a whole, and vector ids are deterministic, so nothing duplicates.
Progress, stage and ETA are written to the document as the job goes; the UI pushes them live.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, col, delete, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Chunk, Document
from lumikb_app.domain import log_context
from lumikb_app.domain.document_lifecycle import WORKING
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.services.documents import indexing, outbox, status, versions
from lumikb_app.services.documents.chunking import chunk as chunk_document
from lumikb_app.services.documents.parsing import ParseError, processes
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.models import choices
from lumikb_app.services.platform.telemetry import INGEST_SECONDS, timed
from lumikb_app.services.platform.transactions import transaction

log = logging.getLogger(__name__)

STEP_CHUNKS = "chunks"
STEP_INDEX = "index"
EMBED_BATCH = 32
# Share of the progress bar each stage fills, measured on the PEP corpus: embedding dominates.
PARSE_END, CHUNK_END, EMBED_END = 0.10, 0.15, 0.97


class ChunksMissing(RuntimeError):
    pass


def _document(session: Session, document_id: str) -> Document | None:
    return session.get(Document, document_id)


def report(document_id: str, to: S, progress: float, detail: str = "") -> None:
    """Record where the job is; the ETA extrapolates from the time spent so far. Raises
    StatusRefused when the document has left the pipeline (deleted, failed elsewhere, purged)."""
    with transaction() as session:
        doc = _document(session, document_id)
        now = utcnow()
        started = (doc.processing_started_at if doc else None) or now
        elapsed = (now - started).total_seconds()
        eta = round(elapsed / progress * (1 - progress), 1) if 0.02 < progress < 1 else None
        status.require_move(
            session, document_id, to,
            progress=round(progress, 4), stage_detail=detail[:255], eta_seconds=eta,
        )  # fmt: skip


def _begin(document_id: str) -> Document | None:
    with transaction() as session:
        doc = _document(session, document_id)
        if doc is None or S(doc.status) not in WORKING:
            return None  # deleted, failed, already ready, or being purged: nothing to do
        started = doc.processing_started_at or utcnow()
        if not status.while_working(
            session,
            document_id,
            attempts=doc.attempts + 1,
            processing_started_at=started,
            error=None,
        ):
            return None
        session.refresh(doc)
        return doc


def _local_copy(doc: Document, directory: Path) -> Path:
    if doc.blob_key is None:
        raise ParseError("The file was never stored; upload it again.")
    path = directory / "original"
    with path.open("wb") as out:
        for block in get_container().blobs.get(doc.blob_key):
            out.write(block)
    return path


def _parse_and_chunk(doc: Document) -> None:
    report(doc.id, S.parsing, 0.01, "Reading the file")
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        limit = get_container().settings.PARSE_TIMEOUT_SECONDS  # in a child, killed past it
        with timed(INGEST_SECONDS, "parse"):
            parsed = processes.parse(_local_copy(doc, Path(tmp)), doc.mime_type, timeout=limit)
    report(
        doc.id, S.chunking, PARSE_END, f"Splitting {parsed.page_count or 'the'} pages into passages"
    )
    with transaction() as session:
        settings = kb_config.settings_in(session, doc.kb_id)
    with timed(INGEST_SECONDS, "chunk"):
        drafts = chunk_document(
            parsed, chunk_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap
        )
    if not drafts:
        raise ParseError("The document contains no text.")
    with transaction() as session:  # the guarded move first: it holds the row until commit
        stored = session.get(Document, doc.id)
        status.require_move(
            session, doc.id, S.chunking, page_count=parsed.page_count, title=parsed.title,
            chunk_count=len(drafts), steps_done=[*(stored.steps_done if stored else []), STEP_CHUNKS],
        )  # fmt: skip
        session.exec(delete(Chunk).where(col(Chunk.document_id) == doc.id))
        session.add_all(
            Chunk(
                document_id=doc.id,
                kb_id=doc.kb_id,
                version=doc.version,
                ordinal=d.ordinal,
                text=d.text,
                page_start=d.page_start,
                page_end=d.page_end,
                char_start=d.char_start,
                char_end=d.char_end,
                heading_path=list(d.heading_path),
                token_count=d.token_count,
            )
            for d in drafts
        )
    report(doc.id, S.chunking, CHUNK_END, f"{len(drafts)} passages")


def _embed_and_index(document_id: str) -> None:
    container = get_container()
    with transaction() as session:
        doc = _document(session, document_id)
        if doc is None:
            raise status.StatusRefused(f"document {document_id} was purged")
        chunks = list(
            session.exec(
                select(Chunk).where(Chunk.document_id == doc.id).order_by(col(Chunk.ordinal))
            )
        )
        embedder = choices.embedder_in(
            session, kb_config.settings_in(session, doc.kb_id).embedding_model
        )
    if len(chunks) != doc.chunk_count or not chunks:
        raise ChunksMissing(f"expected {doc.chunk_count} chunks, found {len(chunks)}")
    collection = indexing.collection_for(embedder)
    container.vectors.ensure_collection(collection, embedder.dimension)
    started, total = time.perf_counter(), len(chunks)
    for start in range(0, total, EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        texts = [indexing.embed_text(doc, c, doc.title) for c in batch]
        with timed(INGEST_SECONDS, "embed"):
            vectors = embedder.embed_documents(texts)
        with timed(INGEST_SECONDS, "index"):
            container.vectors.upsert(collection, indexing.points(doc, batch, vectors, doc.title))
        done = start + len(batch)
        rate = done / max(time.perf_counter() - started, 1e-6)
        progress = CHUNK_END + (EMBED_END - CHUNK_END) * done / total
        report(doc.id, S.embedding, progress, f"Embedded {done} of {total} passages ({rate:.0f}/s)")
    indexing.index_card(container.vectors, embedder, doc, chunks)
    report(doc.id, S.indexing, EMBED_END, "Checking the index")
    indexed = container.vectors.count(collection, document_id=doc.id)
    if indexed != total:
        raise RuntimeError(f"index holds {indexed} vectors for {total} passages")


def _finish(document_id: str) -> list[str]:
    """Mark ready and supersede older versions of the same document in one transaction."""
    with transaction() as session:
        doc = _document(session, document_id)
        if doc is None:
            raise status.StatusRefused(f"document {document_id} was purged")
        status.require_move(
            session, document_id, S.ready, progress=1.0, eta_seconds=None, stage_detail="",
            steps_done=[*doc.steps_done, STEP_INDEX],
        )  # fmt: skip
        return versions.supersede_older(session, doc)


def run(document_id: str) -> None:
    doc = _begin(document_id)
    if doc is None:
        return
    log_context.bind(kb_id=doc.kb_id)
    try:
        if STEP_CHUNKS not in doc.steps_done:
            _parse_and_chunk(doc)
        _embed_and_index(document_id)
        events = _finish(document_id)
    except ParseError as exc:
        mark_failed(document_id, exc.reason)
        return
    except ChunksMissing:
        _forget_step(document_id, STEP_CHUNKS)  # re-parse on the retry
        raise
    except status.StatusRefused:
        _stop(document_id)
        return
    outbox.dispatch(events)
    _queue_graph_stage(document_id)


def _queue_graph_stage(document_id: str) -> None:
    from lumikb_app.services.graph import extraction  # the graph builds on documents

    try:
        extraction.queue_document(document_id)
    except Exception:  # the reconcile job queues it later
        log.exception("could not queue the graph stage of document %s", document_id)


def _stop(document_id: str) -> None:
    """The document left the pipeline mid-job. If it is being deleted, the purge may already
    have run before this job's last vectors went in: take them out again (idempotent)."""
    with transaction() as session:
        doc = _document(session, document_id)
        deleted = doc is None or doc.status == S.deleting.value
    if deleted:
        vectors = get_container().vectors
        for collection in vectors.list_collections():
            vectors.delete_document(collection, document_id)
    log.info("document %s left the pipeline; its job stopped", document_id)


def _forget_step(document_id: str, step: str) -> None:
    with transaction() as session:
        doc = _document(session, document_id)
        if doc is not None:
            steps = [s for s in doc.steps_done if s != step]
            status.while_working(session, document_id, steps_done=steps)


def mark_failed(document_id: str, reason: str) -> None:
    with transaction() as session:
        failed = status.move(session, document_id, S.failed, error=reason[:2000], eta_seconds=None)
    if failed:
        log.info("document %s failed: %s", document_id, reason)


def note_retry(document_id: str, reason: str) -> None:
    with transaction() as session:
        detail = f"Retrying after a temporary problem: {reason}"[:255]
        status.while_working(session, document_id, stage_detail=detail)
