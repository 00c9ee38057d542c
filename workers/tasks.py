"""RQ job functions for documents and drafts. Each takes ids only and is idempotent.

Each runs in its job's log context (`job_id`, and the `request_id` it was queued with) and
counts its failed attempts in lumikb_job_failures_total.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from rq import get_current_job

from lumikb_app.domain import log_context
from lumikb_app.services.documents import ingest, outbox, reconcile
from lumikb_app.services.drafting import generation_job
from lumikb_app.services.graph import communities, extraction
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.platform.telemetry import JOB_FAILURES

log = logging.getLogger(__name__)
Result = TypeVar("Result")


@contextmanager
def _job_scope(job: Any) -> Iterator[None]:
    meta = getattr(job, "meta", None) or {}
    job_id = getattr(job, "id", None)
    with log_context.scope(request_id=meta.get(log_context.REQUEST_ID_META), job_id=job_id):
        yield


def job_function(func: Callable[..., Result]) -> Callable[..., Result]:
    """A job function: run in the job's log context; a failed attempt is counted, then raised."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Result:
        current = get_current_job()
        with _job_scope(current):
            log.info("job %s started", func.__name__)
            started = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                queue = current.origin if current is not None else "none"
                JOB_FAILURES.labels(queue=queue, job=func.__name__).inc()
                log.warning("job %s failed: %s", func.__name__, type(exc).__name__)
                raise
            log.info("job %s finished in %.2f s", func.__name__, time.perf_counter() - started)
            return result

    return run


@job_function
def ingest_document(document_id: str) -> None:
    ingest.run(document_id)


def on_ingest_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ calls this after every failed attempt; only the last one fails the document."""
    with _job_scope(job):
        _after_failed_attempt(job, exc_type, exc_value, ingest, "Processing failed")


@job_function
def process_outbox(event_id: int) -> None:
    outbox.process(event_id)


@job_function
def reconcile_all(reschedule_seconds: int = 0) -> dict:
    return reconcile.run(reschedule_seconds=reschedule_seconds)


@job_function
def reindex_kb(kb_id: str) -> int:
    log_context.bind(kb_id=kb_id)
    return kb_config.reindex_kb(kb_id)


@job_function
def extract_graph(document_id: str) -> None:
    extraction.run(document_id)


@job_function
def recompute_communities(kb_id: str) -> int:
    log_context.bind(kb_id=kb_id)
    return communities.recompute(kb_id)


@job_function
def generate_draft(
    draft_id: str, section_ids: list[str], user_id: str, instruction: str | None = None
) -> int:
    log_context.bind(draft_id=draft_id)
    current = get_current_job()
    job_id = current.id if current is not None else None
    return generation_job.run(draft_id, section_ids, user_id, instruction, job_id=job_id)


def on_graph_failure(job, connection, exc_type, exc_value, traceback) -> None:
    """After every failed attempt of a graph stage; only the last one fails it."""
    with _job_scope(job):
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
