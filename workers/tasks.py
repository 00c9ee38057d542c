"""RQ job functions for documents. Each takes ids only and is idempotent."""

from __future__ import annotations

from lumikb_app.services.documents import ingest, outbox, reconcile
from lumikb_app.services.graph import communities, extraction
from lumikb_app.services.knowledge_bases import kb_config


def ingest_document(document_id: str) -> None:
    ingest.run(document_id)


def on_ingest_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this after every failed attempt; only the last one fails the document."""
    document_id = job.args[0]
    reason = f"{exc_type.__name__}: {exc_value}" if exc_value else exc_type.__name__
    if job.retries_left:
        ingest.note_retry(document_id, reason)
    else:
        ingest.mark_failed(
            document_id,
            f"Processing failed after several attempts ({reason}). Use Retry to try again.",
        )


def process_outbox(event_id: int) -> None:
    outbox.process(event_id)


def reconcile_all(reschedule_seconds: int = 0) -> dict:
    return reconcile.run(reschedule_seconds=reschedule_seconds)


def reindex_kb(kb_id: str) -> int:
    return kb_config.reindex_kb(kb_id)


def extract_graph(document_id: str) -> None:
    extraction.run(document_id)


def recompute_communities(kb_id: str) -> int:
    return communities.recompute(kb_id)


def on_graph_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """After every failed attempt of a graph stage; only the last one fails it."""
    document_id = job.args[0]
    reason = f"{exc_type.__name__}: {exc_value}" if exc_value else exc_type.__name__
    if job.retries_left:
        extraction.note_retry(document_id, reason)
    else:
        extraction.mark_failed(
            document_id,
            f"Building the graph failed after several attempts ({reason}). Use Retry to try again.",
        )
