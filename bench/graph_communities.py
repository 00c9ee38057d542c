"""Community recompute on the embedded store at 10k entities / ~50k relations.

Usage: python -m bench.graph_communities [ENTITIES]   (default 10_000)

The graph is bench/graph_traversal.py's corpus (one replace_document per document, Zipf-drawn
entities related by co-occurrence). Rows, each the median of RUNS runs:

- baseline: `weighted_edges` alone (reading what Louvain needs);
- louvain: `communities.detect` on those edges (networkx, fixed seed);
- recompute: the whole job (read, detect, `set_communities`, describe, rows replaced);
plus how many communities, the largest's size, and whether a second recompute gave the same.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.graph_traversal import build, corpus  # noqa: E402
from bench.synthetic import deployment  # noqa: E402

RUNS = 3


def seconds(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(entities: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        deployment(tmp)
        from lumikb_app.container import get_container
        from lumikb_app.db.tables import KnowledgeBase
        from lumikb_app.services.graph import communities
        from lumikb_app.services.platform.transactions import transaction

        container = get_container()
        with transaction() as session:
            kb = KnowledgeBase(name="bench", settings={"graph_mode": "fast"})
            session.add(kb)
            session.flush()
            kb_id = kb.id
        started = time.perf_counter()
        build(container.graph, corpus(entities, "communities", 7), kb_id)
        built = time.perf_counter() - started
        stats = container.graph.stats(kb_id)
        read, edges = seconds(lambda: container.graph.weighted_edges(kb_id))
        detect, groups = seconds(lambda: communities.detect(edges))
        whole, count = seconds(lambda: communities.recompute(kb_id))
        first = [(c.title, c.size) for c in communities.communities_of(kb_id)]
        communities.recompute(kb_id)
        stable = first == [(c.title, c.size) for c in communities.communities_of(kb_id)]
        print(
            f"graph: {stats.entities} entities, {stats.relations} relations, "
            f"{len(edges)} weighted pairs (built in {built:.1f} s)"
        )
        print(f"baseline  weighted_edges      {read * 1000:8.0f} ms")
        print(f"louvain   detect              {detect * 1000:8.0f} ms")
        print(f"recompute the whole job       {whole * 1000:8.0f} ms")
        sizes = sorted((len(g) for g in groups), reverse=True)  # type: ignore[union-attr]
        print(f"{count} communities, largest {sizes[0]} entities; a second run same: {stable}")
        container.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
