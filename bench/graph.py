"""2-hop neighbourhood on the embedded SQL graph (recursive CTE) next to loading every edge
into Python and walking it (the naive baseline), on SQLite.

Usage: python -m bench.graph [ENTITIES]   (default 10_000 entities, 3 relations each)
"""

import random
import sys
import tempfile
import uuid

from sqlalchemy import text
from sqlmodel import SQLModel

from bench.common import summary, timed_ms
from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.adapters.sql_graph import SqlGraphStore

KB = "kb-bench"
RUNS = 100


def _populate(db: SqlDatabase, n: int) -> list[str]:
    ids = [str(uuid.UUID(int=i + 1)) for i in range(n)]
    rng = random.Random(7)
    with db.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO graph_entities (id, kb_id, key, name, type, description) VALUES (:id, :kb, :key, :key, '', '')"
            ),
            [{"id": e, "kb": KB, "key": f"entity {i}"} for i, e in enumerate(ids)],
        )
        c.execute(
            text(
                "INSERT INTO graph_relations (id, kb_id, source_id, target_id, type, weight, document_id) "
                "VALUES (:id, :kb, :s, :t, 'related_to', 1.0, 'doc')"
            ),
            [
                {"id": str(uuid.uuid4()), "kb": KB, "s": rng.choice(ids), "t": rng.choice(ids)}
                for _ in range(3 * n)
            ],
        )
    return ids


def _python_walk(db: SqlDatabase, seed: str, hops: int) -> set[str]:
    with db.engine.connect() as c:
        edges = c.execute(
            text("SELECT source_id, target_id FROM graph_relations WHERE kb_id = :kb"), {"kb": KB}
        ).all()
    adjacency: dict[str, set[str]] = {}
    for s, t in edges:
        adjacency.setdefault(s, set()).add(t)
        adjacency.setdefault(t, set()).add(s)
    frontier, seen = {seed}, {seed}
    for _ in range(hops):
        frontier = {n for f in frontier for n in adjacency.get(f, ())} - seen
        seen |= frontier
    return seen


def main(n: int = 10_000) -> None:
    print(f"== graph: {n} entities, {3 * n} relations, 2-hop neighbourhood (limit 200) ==")
    with tempfile.TemporaryDirectory() as tmp:
        db = SqlDatabase(f"sqlite:///{tmp}/graph.sqlite3")
        SQLModel.metadata.create_all(db.engine)
        ids = _populate(db, n)
        store = SqlGraphStore(db)
        rng = random.Random(1)
        cte = timed_ms(lambda: store.neighbourhood(KB, [rng.choice(ids)], hops=2, limit=200), RUNS)
        naive = timed_ms(lambda: _python_walk(db, rng.choice(ids), 2), 20)
        db.close()
    print(f"SQL recursive CTE             {summary(cte)}")
    print(f"load all edges + Python BFS   {summary(naive)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
