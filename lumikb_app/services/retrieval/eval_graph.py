"""The graph side of `lumikb eval --graph`: turn the KB's graph on, wait until every document's
graph stage has ended, and compare search with and without graph fusion."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import col, func, select

from lumikb_app.db.tables import GraphExtraction, User
from lumikb_app.domain.graph import GraphStage
from lumikb_app.services.graph import extraction
from lumikb_app.services.graph import graph_mode as modes
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.platform.transactions import read_session

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class GraphProgress:
    documents: int  # ready documents of the KB
    settled: int  # whose graph stage is ready or failed
    failed: int
    chunks_done: int
    chunks_total: int


def graph_mode() -> str:
    """LLM extraction when an extraction (or chat) model is configured, else the no-model one."""
    from lumikb_app.services.graph import llm_extractor

    return "llm" if llm_extractor.for_registry() is not None else "fast"


def turn_on(user: User, kb_id: str, mode: str) -> int:
    """Turn an existing KB's graph on in `mode` (for --kb; KB admin), or keep the mode it has,
    and queue its documents; how many."""
    if kb_config.get_settings(user, kb_id).graph_mode == "off":
        return modes.set_mode(user, kb_id, mode).queued
    return extraction.queue_kb(user, kb_id)


def progress(kb_id: str) -> GraphProgress:
    with read_session() as session:
        ready = kb_config.count_ready(session, kb_id)
        rows = session.exec(
            select(
                GraphExtraction.state,
                func.count(),
                func.sum(GraphExtraction.chunks_done),
                func.sum(GraphExtraction.chunks_total),
            )
            .where(GraphExtraction.kb_id == kb_id)
            .group_by(col(GraphExtraction.state))
        ).all()
    counts = {state: count for state, count, _, _ in rows}
    return GraphProgress(
        documents=ready,
        settled=counts.get(GraphStage.ready, 0) + counts.get(GraphStage.failed, 0),
        failed=counts.get(GraphStage.failed, 0),
        chunks_done=sum(done or 0 for _, _, done, _ in rows),
        chunks_total=sum(total or 0 for _, _, _, total in rows),
    )


def wait(
    kb_id: str, on_progress: Callable[[GraphProgress], None], timeout: float = 3600
) -> GraphProgress:
    deadline = time.monotonic() + timeout
    while True:
        now = progress(kb_id)
        on_progress(now)
        if now.settled >= now.documents or time.monotonic() > deadline:
            return now
        time.sleep(POLL_SECONDS)
