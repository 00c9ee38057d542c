"""Finds and repairs disagreements between the stores (DESIGN.md "Data").

- an outbox event never handed to a job, or whose job died: dispatch it again;
- vectors of a document that no longer exists, is being deleted or was superseded: delete them;
- a ready document whose vectors are missing: index it again;
- a ready document without its card (e.g. ingested before cards existed): embed the card;
- a blob with no document row: delete it;
- a document stuck in processing (its job lost, e.g. an embedded app restarted): queue it again;
- versions past the retention rule (DOCUMENT_VERSIONS_KEPT may have been lowered): purge them.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Chunk, Document, KnowledgeBase, OutboxEvent, User
from lumikb_app.domain.document_lifecycle import WORKING
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import ModelSpec
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.documents import (
    documents,
    indexing,
    ingest,
    outbox,
    pending_blobs,
    status,
    versions,
)
from lumikb_app.services.models import choices
from lumikb_app.services.platform.transactions import transaction

log = logging.getLogger(__name__)

RECONCILE_JOB = "workers.tasks.reconcile_all"
OUTBOX_GRACE = timedelta(minutes=2)
STUCK_AFTER = timedelta(minutes=15)
# A document is queued in its transaction and its job enqueued just after the commit: younger
# than this, a document without a job may be between the two.
LOST_JOB_GRACE = timedelta(seconds=30)
_BLOB_KEY = re.compile(r"^kb/([^/]+)/doc/([^/]+)/v\d+$")


def run(*, reschedule_seconds: int = 0, stuck_after: timedelta = STUCK_AFTER) -> dict[str, int]:
    report = {
        "outbox_redispatched": redispatch_outbox(),
        "orphan_vectors_removed": remove_orphan_vectors(),
        "documents_reindexed": reindex_missing_vectors(),
        "document_cards_added": add_missing_cards(),
        "orphan_blobs_removed": remove_orphan_blobs(),
        "stuck_documents_requeued": requeue_stuck(stuck_after),
        "lost_jobs_requeued": requeue_lost(),
        "old_versions_expired": versions.expire_everywhere(),
        **_repair_graph(stuck_after),
        "collections_optimized": optimize_collections(),
    }
    log.info("reconcile: %s", report)
    if reschedule_seconds:
        schedule_next(reschedule_seconds)
    return report


def _repair_graph(stuck_after: timedelta) -> dict[str, int]:
    from lumikb_app.services.graph import repair  # the graph builds on documents

    return {
        "graph_documents_removed": repair.remove_stale(),
        "graph_stages_requeued": repair.requeue_missing(stuck_after),
    }


def run_now(actor: User) -> dict[str, int]:
    """A run asked for by a person (the admin overview's button): system administrators only.
    The periodic job and the CLI call `run()`, acting for the deployment itself."""
    require_admin(actor)
    return run()


def schedule_next(interval_seconds: int) -> None:
    """Schedule the next run in the next time slot. The job id names the slot, so however many
    app processes or earlier runs ask, one run per slot is queued."""
    slot = int(time.time() // interval_seconds) + 1
    delay = max(1, int(slot * interval_seconds - time.time()))
    get_container().jobs.schedule(
        delay, RECONCILE_JOB, interval_seconds, job_id=f"reconcile-slot-{slot}"
    )


def optimize_collections() -> int:
    """Build the HNSW graphs of what was ingested since the last run (the edge shard indexes
    only when asked; a server optimizes on its own and ignores this)."""
    vectors = get_container().vectors
    names = vectors.list_collections()
    for name in names:
        vectors.optimize(name)
    return len(names)


def redispatch_outbox(grace: timedelta = OUTBOX_GRACE) -> int:
    with transaction() as session:
        ids = session.exec(
            select(OutboxEvent.id).where(
                col(OutboxEvent.processed_at).is_(None), OutboxEvent.created_at < utcnow() - grace
            )
        ).all()
    outbox.dispatch(str(i) for i in ids)
    return len(ids)


def _live_documents() -> dict[str, Document]:
    """The documents that may have vectors: neither being deleted nor superseded."""
    gone = [S.deleting.value, S.superseded.value]
    with transaction() as session:
        docs = session.exec(select(Document).where(col(Document.status).not_in(gone))).all()
    return {d.id: d for d in docs}


def remove_orphan_vectors() -> int:
    """Documents whose vectors outlived their row (counted once across chunk and card
    collections)."""
    vectors, live = get_container().vectors, _live_documents()
    removed: set[str] = set()
    for collection in vectors.list_collections():
        for document_id in vectors.document_ids(collection) - set(live):
            vectors.delete_document(collection, document_id)
            removed.add(document_id)
    return len(removed)


def _embedding_models() -> dict[str, ModelSpec]:
    """Each KB's embedding model (its registry entry), by KB id."""
    with transaction() as session:
        specs = {
            kb.id: choices.spec_in(session, KbSettings.model_validate(kb.settings).embedding_model)
            for kb in session.exec(select(KnowledgeBase))
        }
    return {kb_id: spec for kb_id, spec in specs.items() if spec is not None}


def reindex_missing_vectors() -> int:
    container, requeued, models = get_container(), 0, _embedding_models()
    for doc in _live_documents().values():
        if doc.status != S.ready.value or doc.kb_id not in models:
            continue
        collection = indexing.collection_for(container.embedder_for(models[doc.kb_id]))
        if (
            collection in container.vectors.list_collections()
            and container.vectors.count(collection, document_id=doc.id) == doc.chunk_count
        ):
            continue
        _requeue(doc.id, keep_chunks=True)
        requeued += 1
    return requeued


def add_missing_cards() -> int:
    """Embed the card of every ready document whose model's card collection lacks it."""
    container, added, models = get_container(), 0, _embedding_models()
    with_cards: dict[str, set[str]] = {}
    existing = set(container.vectors.list_collections())
    for doc in _live_documents().values():
        if doc.status != S.ready.value or doc.kb_id not in models:
            continue
        embedder = container.embedder_for(models[doc.kb_id])
        collection = indexing.card_collection_for(embedder)
        if collection not in with_cards:
            known = collection in existing
            with_cards[collection] = container.vectors.document_ids(collection) if known else set()
        if doc.id in with_cards[collection]:
            continue
        with transaction() as session:
            chunks = list(
                session.exec(
                    select(Chunk).where(Chunk.document_id == doc.id).order_by(col(Chunk.ordinal))
                )
            )
        try:
            if chunks:
                indexing.index_card(container.vectors, embedder, doc, chunks)
                added += 1
        except EmbeddingError as exc:  # the model is down: the next run tries again
            log.warning("could not embed the card of document %s: %s", doc.id, exc)
    return added


def remove_orphan_blobs() -> int:
    """Blobs no row names, except uploads in flight. The keys are listed before the rows are
    read, and announcements before rows: a row committed meanwhile is seen."""
    blobs = get_container().blobs
    keys = [key for key in blobs.list_keys("kb/") if _BLOB_KEY.match(key)]
    with transaction() as session:
        kept = pending_blobs.in_flight(session)
        kept |= {key for key in session.exec(select(Document.blob_key)) if key}
    orphans = [key for key in keys if key not in kept]
    for key in orphans:
        blobs.delete(key)
    return len(orphans)


def requeue_stuck(stuck_after: timedelta = STUCK_AFTER) -> int:
    active = [s.value for s in WORKING]
    with transaction() as session:
        ids = session.exec(
            select(Document.id).where(
                col(Document.status).in_(active), Document.updated_at < utcnow() - stuck_after
            )
        ).all()
    for document_id in ids:
        _requeue(document_id, keep_chunks=True)
    return len(ids)


def requeue_lost(grace: timedelta = LOST_JOB_GRACE) -> int:
    """Documents in a working state whose ingest job the queue no longer holds (Redis restarted
    without its data, or the enqueue failed after the commit): queue them again now, without
    waiting STUCK_AFTER."""
    active = [s.value for s in WORKING]
    with transaction() as session:
        ids = session.exec(
            select(Document.id).where(
                col(Document.status).in_(active), Document.updated_at < utcnow() - grace
            )
        ).all()
    if not ids:
        return 0
    held = get_container().jobs.waiting_first_args("ingest")
    lost = [document_id for document_id in ids if document_id not in held]
    for document_id in lost:
        _requeue(document_id, keep_chunks=True)
    return len(lost)


def _requeue(document_id: str, *, keep_chunks: bool) -> None:
    with transaction() as session:
        doc = session.get(Document, document_id)
        kept = doc is not None and keep_chunks and ingest.STEP_CHUNKS in doc.steps_done
        steps = [ingest.STEP_CHUNKS] if kept else []
        if not status.move(session, document_id, S.queued, progress=0.0, steps_done=steps):
            return  # purged, being deleted, or failed meanwhile
    documents.enqueue_ingest(document_id)
