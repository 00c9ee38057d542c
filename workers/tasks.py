"""RQ job functions for documents. Each takes ids only and is idempotent."""

from __future__ import annotations

from lumikb_app.services.documents import ingest, outbox, reconcile
from lumikb_app.services.graph import communities, extraction
from lumikb_app.services.knowledge_bases import kb_config


def ingest_document(document_id: str) -> None:
    ingest.run(document_id)


def on_ingest_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this after every failed attempt; only the last one fails the document."""
    _after_failed_attempt(job, exc_type, exc_value, ingest, "Processing failed")


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
    _after_failed_attempt(job, exc_type, exc_value, extraction, "Building the graph failed")


def _after_failed_attempt(job, exc_type, exc_value, stage, failed: str) -> None:
    """Note a retry while attempts are left, else fail the stage (`ingest` or `extraction`:
    both have note_retry and mark_failed) with the last reason."""
    document_id = job.args[0]
    reason = f"{exc_type.__name__}: {exc_value}" if exc_value else exc_type.__name__
    if job.retries_left:
        stage.note_retry(document_id, reason)
    else:
        stage.mark_failed(
            document_id, f"{failed} after several attempts ({reason}). Use Retry to try again."
        )
