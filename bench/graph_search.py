"""Graph-augmented search at scale: the search service with graph fusion next to the same
search without it (the baseline, same run), and the graph leg alone.

Usage: python -m bench.graph_search [N ...]   (default 100_000 synthetic chunks)

The chunks are bench/search.py's synthetic ones (random 384-d vectors, Zipf words from the PEP
vocabulary, 20 chunks a document). The graph is synthetic too: 10k entities named by PEP
vocabulary word pairs, each chunk mentioning 6 of them (Zipf, so some are hubs), each document
relating the entities its chunks share. Every query names two entities plus a few words.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mb, summary, timed_ms  # noqa: E402
from bench.search import CHUNKS_PER_DOC, QUERIES, Synthetic, _seed  # noqa: E402
from bench.synthetic import deployment  # noqa: E402

ENTITIES, PER_CHUNK = 10_000, 6


def _entity_names(data: Synthetic) -> list[str]:
    words = data.words[200:]  # past the commonest words
    return [f"{words[i % len(words)]} {words[(i * 7 + 3) % len(words)]}" for i in range(ENTITIES)]


def _seed_graph(kb_id: str, chunk_ids: list[str], doc_ids: list[str], names: list[str]) -> float:
    from lumikb_app.container import get_container
    from lumikb_app.domain.graph import (
        CO_OCCURS,
        DocumentGraph,
        EntityDraft,
        MentionDraft,
        RelationDraft,
    )
    from lumikb_app.domain.graph_names import entity_key

    rng = np.random.default_rng(11)
    keys = [entity_key(n) for n in names]
    graph, started = get_container().graph, time.perf_counter()
    for d, doc_id in enumerate(doc_ids):
        picks = (rng.zipf(1.3, (CHUNKS_PER_DOC, PER_CHUNK)) - 1) % ENTITIES
        chunks = chunk_ids[d * CHUNKS_PER_DOC : (d + 1) * CHUNKS_PER_DOC]
        used = sorted({int(p) for p in picks.flat})
        mentions = [
            MentionDraft(keys[int(p)], chunk, j * 10, j * 10 + 5)
            for chunk, row in zip(chunks, picks, strict=False)
            for j, p in enumerate(row)
        ]
        relations = [
            RelationDraft(keys[a], keys[b], CO_OCCURS, chunks[0], "", 1.0)
            for a, b in zip(used, used[1:], strict=False)
        ]
        entities = [EntityDraft(keys[i], names[i], "term") for i in used]
        graph.replace_document(kb_id, doc_id, DocumentGraph(entities, mentions, relations))
        if d % 200 == 0:
            print(f"\r  graph: {d}/{len(doc_ids)} documents", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return time.perf_counter() - started


def run(n: int) -> None:
    from sqlmodel import select

    from lumikb_app.container import get_container, reset_container
    from lumikb_app.db.tables import Chunk, KnowledgeBase
    from lumikb_app.services.graph import retrieval as graph_retrieval
    from lumikb_app.services.retrieval import search

    print(f"== graph-augmented search: {n} chunks, {ENTITIES} entities, 1 KB ==")
    data = Synthetic(n)
    with tempfile.TemporaryDirectory(prefix="bench-graph-search-") as tmp:
        deployment(tmp)
        user, kb_id, seconds = _seed(data)
        container = get_container()
        with container.db.session() as session:
            rows = session.exec(select(Chunk.id, Chunk.document_id).order_by(Chunk.id)).all()
            kb = session.get_one(KnowledgeBase, kb_id)
            kb.settings = {**kb.settings, "graph_mode": "fast"}
            session.add(kb)
            session.commit()
        chunk_ids = [r[0] for r in rows]
        doc_ids = list(dict.fromkeys(r[1] for r in rows))
        names = _entity_names(data)
        graph_seconds = _seed_graph(kb_id, chunk_ids, doc_ids, names)
        print(f"seeded in {seconds:.0f} s (chunks) + {graph_seconds:.0f} s (graph)")
        rng = np.random.default_rng(5)

        def query() -> str:
            a, b = (names[int(i)] for i in (rng.zipf(1.3, 2) - 1) % ENTITIES)
            return f"how does {a} relate to {b} {data.sentence(3)} {rng.integers(1 << 30)}"

        search.search(user, "warm up the search path", kb_ids=[kb_id])
        with_graph = timed_ms(
            lambda: search.search(user, query(), kb_ids=[kb_id], graph=True), QUERIES
        )
        without = timed_ms(
            lambda: search.search(user, query(), kb_ids=[kb_id], graph=False), QUERIES
        )
        leg = timed_ms(lambda: graph_retrieval.search(query(), [kb_id], limit=50), QUERIES)
        reset_container()
    print(f"search with graph fusion        {summary(with_graph)}")
    print(f"search without graph (baseline) {summary(without)}")
    print(f"graph leg alone                 {summary(leg)}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")


def main(sizes: tuple[int, ...] = (100_000,)) -> None:
    for n in sizes:
        run(n)


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (100_000,))
