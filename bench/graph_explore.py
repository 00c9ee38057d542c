"""The graph page's service calls (services/graph/explore.py) on an embedded deployment whose KB
holds a graph of ENTITIES entities (~5 relations each), built as extraction builds it (the
corpus of bench/graph_traversal.py, one replace_document per document).

Usage: python -m bench.graph_explore [ENTITIES]   (default 5_000)

Rows, each p50/p95 over RUNS calls as a reader of the KB:
- baseline: kbs.get_kb, the access check and one row read every call below also pays;
- overview: the first paint (150 most mentioned entities, the relations among them, the KB's
  communities and entity types), and its size as the page sends it (JSON of the drawn graph);
- search_entities (a prefix), neighbours (1 and 2 hops, limit 60, from hubs and from random
  entities), entity_detail (relations with the other ends' names, mentions joined to chunks).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import summary, timed_ms  # noqa: E402
from bench.graph_traversal import build, corpus  # noqa: E402

RUNS = 50


def _deployment(data_dir: str):
    os.environ["DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("NEO4J_URI", None)
    from lumikb_app.container import get_container, reset_container
    from lumikb_app.db.migrate import upgrade
    from lumikb_app.services.accounts import auth
    from lumikb_app.services.knowledge_bases import kbs

    reset_container()
    upgrade()
    with get_container().db.session() as session:
        user = auth.create_user(
            session, email="bench@x.io", display_name="Bench", password="long enough pw"
        )
        session.commit()
        session.refresh(user)
        session.expunge(user)
    return user, kbs.create_kb(user, "Graph bench").id


def main(entities: int) -> None:
    from lumikb_app.container import get_container
    from lumikb_app.services.graph import explore
    from lumikb_app.services.knowledge_bases import kbs
    from lumikb_app.state.graph import graph_views as views

    with tempfile.TemporaryDirectory() as tmp:
        user, kb = _deployment(tmp)
        store = get_container().graph
        started = time.perf_counter()
        build(store, corpus(entities, "explore", seed=7), kb)
        built = time.perf_counter() - started
        stats = store.stats(kb)
        print(f"graph: {stats.entities} entities, {stats.relations} relations, "
              f"{stats.mentions} mentions, built in {built:.1f} s")  # fmt: skip
        hubs = [n.id for n in explore.search_entities(user, kb, "", limit=10)]
        rng = random.Random(3)
        tail = [e.id for e in store.find_entities([kb], "entity 4", limit=50)]
        first = explore.overview(user, kb)
        payload = json.dumps(
            views.graph_data(
                [views.node_view(n) for n in first.nodes], [views.link_view(e) for e in first.edges]
            )
        )
        print(f"overview draws {len(first.nodes)} nodes, {len(first.edges)} lines; "
              f"graph data {len(payload) / 1024:.1f} KiB")  # fmt: skip
        rows = {
            "baseline: kbs.get_kb": lambda: kbs.get_kb(user, kb),
            "overview (150, first paint)": lambda: explore.overview(user, kb),
            "search_entities 'entity 1'": lambda: explore.search_entities(user, kb, "entity 1"),
            "neighbours 1 hop, hub": lambda: explore.neighbours(user, kb, rng.choice(hubs)),
            "neighbours 2 hops, hub": lambda: explore.neighbours(
                user, kb, rng.choice(hubs), hops=2
            ),
            "neighbours 1 hop, tail": lambda: explore.neighbours(user, kb, rng.choice(tail)),
            "neighbours 2 hops, tail": lambda: explore.neighbours(
                user, kb, rng.choice(tail), hops=2
            ),
            "entity_detail, hub": lambda: explore.entity_detail(user, kb, rng.choice(hubs)),
            "entity_detail, tail": lambda: explore.entity_detail(user, kb, rng.choice(tail)),
        }
        for name, call in rows.items():
            call()  # warm
            print(f"{name:32s} {summary(timed_ms(call, RUNS))}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)
