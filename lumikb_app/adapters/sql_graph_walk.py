"""How the embedded graph store walks a neighbourhood: breadth-first, one query per hop,
stopping at the hop that fills the limit, then the relations among the entities kept, one per
(source, target, type)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table, bindparam, select, text

from lumikb_app.db.tables import GraphEntity
from lumikb_app.ports.graph import Relation

ENTITIES: Table = GraphEntity.__table__  # type: ignore[attr-defined]
BATCH = 500  # ids per IN (...) list, well under SQLite's and PostgreSQL's bind limits

# Relations only ever join entities of one KB (every write checks it) and the seeds are
# checked against the KB, so the walk and the relations among its entities need no kb_id
# condition, which would only tempt a planner without statistics into the kb_id index; the
# entities and relations returned are still checked against the KB.
_STEP = text(
    """
    SELECT n.id FROM (
        SELECT r.target_id AS id FROM graph_relations r
        WHERE r.source_id IN :frontier
        UNION
        SELECT r.source_id AS id FROM graph_relations r
        WHERE r.target_id IN :frontier
    ) n
    WHERE n.id NOT IN :seen
    ORDER BY n.id
    LIMIT :room
    """
).bindparams(bindparam("frontier", expanding=True), bindparam("seen", expanding=True))

# One relation per (source, target, type) among the kept entities: a pair that many documents
# relate would otherwise come back once per document (thousands of rows around a hub).
_AMONG = text(
    """
    SELECT id, kb_id, source_id, target_id, type, document_id, total AS weight, evidence,
           chunk_id
    FROM (
        SELECT r.*,
               SUM(r.weight) OVER (PARTITION BY r.source_id, r.target_id, r.type) AS total,
               ROW_NUMBER() OVER (
                   PARTITION BY r.source_id, r.target_id, r.type ORDER BY r.weight DESC, r.id
               ) AS nth
        FROM graph_relations r
        WHERE r.source_id IN :sources AND r.target_id IN :targets
    ) ranked
    WHERE nth = 1
    """
).bindparams(bindparam("sources", expanding=True), bindparam("targets", expanding=True))


def walk(conn: Connection, kb_id: str, seeds: list[str], hops: int, limit: int) -> list[str]:
    """Breadth-first, nearest first, ties by id; stops once `limit` entities are found."""
    found = conn.execute(
        select(ENTITIES.c.id).where(ENTITIES.c.id.in_(seeds), ENTITIES.c.kb_id == kb_id)
    )
    selected = sorted(found.scalars())[:limit]
    frontier = selected
    for _ in range(hops):
        room = limit - len(selected)
        if not frontier or room <= 0:
            break
        reached: set[str] = set()
        for batch in batches(frontier):
            params = {"frontier": batch, "seen": selected, "room": room}
            reached.update(conn.execute(_STEP, params).scalars())
        frontier = sorted(reached)[:room]
        selected = selected + frontier
    return selected


def relations_among(conn: Connection, kb_id: str, entity_ids: list[str]) -> list[Relation]:
    wanted = sorted(set(entity_ids))
    found: list[Relation] = []
    for batch in batches(wanted):
        rows = conn.execute(_AMONG, {"sources": batch, "targets": wanted})
        found += [Relation(**row._mapping) for row in rows if row.kb_id == kb_id]
    return sorted(found, key=lambda r: r.id)


def batches(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), BATCH):
        yield list(items[start : start + BATCH])
