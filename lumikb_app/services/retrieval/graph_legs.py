"""The graph leg of a search, run on a small thread pool while the vector legs run.

A failing graph store never fails a search: the leg answers None and search goes on with the
other legs (and does not cache the partial result).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from lumikb_app.services.graph import retrieval as graph_retrieval
from lumikb_app.services.graph.retrieval import GraphHit

log = logging.getLogger(__name__)
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="graph-leg")
TIMEOUT_SECONDS = 5.0


class Leg:
    def __init__(self, future: Future[list[GraphHit]]) -> None:
        self._future = future

    def result(self) -> list[GraphHit] | None:
        try:
            return self._future.result(timeout=TIMEOUT_SECONDS)
        except Exception:
            log.exception("the graph leg of a search failed; searching without it")
            return None


def start(query: str, kb_ids: Sequence[str], limit: int) -> Leg:
    return Leg(_POOL.submit(graph_retrieval.search, query, list(kb_ids), limit=limit))
