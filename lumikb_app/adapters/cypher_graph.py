"""Server graph store in Cypher: Neo4j in production, FalkorDB in tests.

The FalkorDB executor is test code (tests/integration/graph/graph_targets.py): the app only
talks to Neo4j. The queries (`cypher_graph_queries.py`) keep to the Cypher both engines
accept (MATCH, OPTIONAL MATCH, MERGE, SET, UNWIND, DELETE, UNION, parameters). The model:

    (:Entity {id, kb_id, key, name, type, description, aliases: [str], community, mentions})
    (:Entity)-[:REL {id, kb_id, type, document_id, weight, evidence, chunk_id}]->(:Entity)
    (:Entity)-[:MENTIONED_IN {id, kb_id, document_id, char_start, char_end}]->
        (:Chunk {id, kb_id, document_id})

The semantics match the SQL store (`sql_graph.py`), decided once in `graph_document.py`:
global ids, entities merged on (kb_id, key), relations and mentions only between things of
one KB, `mentions` recounted by every write that touches an entity, and a neighbourhood
walked breadth-first one query per hop, nearest first, ties by id, stopping at `limit`,
with one relation per (source, target, type) among the entities kept.

Untested here (no Neo4j server on this machine; the contract suite runs it only when
NEO4J_URI is set): `Neo4jExecutor` as a whole, its write transactions (on FalkorDB each
query is atomic on its own, so `replace_document` is not one transaction there), and the
Neo4j-only schema: the uniqueness constraint on Entity (kb_id, key) and the full-text index
on Entity name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TypeVar

import neo4j

from lumikb_app.adapters import cypher_graph_queries as q
from lumikb_app.adapters import graph_document as gd
from lumikb_app.domain.graph import DocumentGraph, EntityDraft
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.ports.graph import Entity, GraphStats, Mention, Relation, Subgraph

T = TypeVar("T")
Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Index:
    name: str
    pattern: str  # a node "(x:Label)" or a relationship "()-[x:TYPE]-()", variable always x
    prop: str


INDEXES = (
    Index("lumikb_entity_id", "(x:Entity)", "id"),
    Index("lumikb_entity_kb", "(x:Entity)", "kb_id"),
    Index("lumikb_entity_key", "(x:Entity)", "key"),
    Index("lumikb_entity_name", "(x:Entity)", "name"),
    Index("lumikb_chunk_id", "(x:Chunk)", "id"),
    Index("lumikb_chunk_document", "(x:Chunk)", "document_id"),
    Index("lumikb_rel_id", "()-[x:REL]-()", "id"),
    Index("lumikb_rel_document", "()-[x:REL]-()", "document_id"),
    Index("lumikb_mention_id", "()-[x:MENTIONED_IN]-()", "id"),
    Index("lumikb_mention_document", "()-[x:MENTIONED_IN]-()", "document_id"),
)


NEO4J_SCHEMA = (
    "CREATE CONSTRAINT lumikb_entity_kb_key IF NOT EXISTS"
    " FOR (x:Entity) REQUIRE (x.kb_id, x.key) IS UNIQUE",
    "CREATE FULLTEXT INDEX lumikb_entity_name_text IF NOT EXISTS FOR (x:Entity) ON EACH [x.name]",
)


class CypherRunner(Protocol):
    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows: ...


class CypherExecutor(CypherRunner, Protocol):
    def transaction(self, work: Callable[[CypherRunner], T]) -> T:
        """Run `work` in one write transaction where the engine has them (it may be retried)."""

    def ensure_index(self, index: Index) -> None: ...

    def ensure_constraints(self) -> None:
        """Engine-specific schema beyond `INDEXES` (nothing where the engine has none)."""

    def close(self) -> None: ...


# -- executors ---------------------------------------------------------------


class Neo4jExecutor:
    """The official `neo4j` driver against a Neo4j server (never FalkorDB's Bolt endpoint)."""

    def __init__(self, uri: str, user: str, password: str | None, *, database: str | None = None):
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password or ""))
        self._database = database

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        records, _, _ = self._driver.execute_query(
            query, dict(params or {}), database_=self._database
        )
        return [record.data() for record in records]

    def transaction(self, work: Callable[[CypherRunner], T]) -> T:
        with self._driver.session(database=self._database) as session:
            return session.execute_write(lambda tx: work(_Neo4jTransaction(tx)))

    def ensure_index(self, index: Index) -> None:
        self.run(f"CREATE INDEX {index.name} IF NOT EXISTS FOR {index.pattern} ON (x.{index.prop})")

    def ensure_constraints(self) -> None:
        for statement in NEO4J_SCHEMA:
            self.run(statement)

    def close(self) -> None:
        self._driver.close()


class _Neo4jTransaction:
    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        return self._tx.run(query, dict(params or {})).data()


# -- store -------------------------------------------------------------------

_UNWIND_BATCH = 1000  # rows per UNWIND parameter list


class CypherGraphStore:
    embedded = False

    def __init__(self, executor: CypherExecutor, *, create_indexes: bool = True) -> None:
        self._x = executor
        if create_indexes:
            for index in INDEXES:
                executor.ensure_index(index)
            executor.ensure_constraints()

    # -- writes --------------------------------------------------------------

    def upsert_entity(self, entity: Entity) -> None:
        """Merge by key into the first entity of that key; `community` and `mentions` are
        the store's to keep and are not written from here."""
        self._x.transaction(lambda tx: _write_entity(tx, entity))

    def upsert_relation(self, relation: Relation) -> None:
        params = asdict(relation) | {"weight": float(relation.weight)}
        ends = ("source_id", "target_id")
        writes = (q.RELATION_NOW, q.DROP_RELATION, q.MERGE_RELATION)
        self._x.transaction(lambda tx: _write_edge(tx, "relation", params, ends, writes))

    def upsert_mention(self, mention: Mention) -> None:
        params = asdict(mention)
        ends = ("entity_id", "chunk_id")
        writes = (q.MENTION_NOW, q.DROP_MENTION, q.MERGE_MENTION)

        def work(tx: CypherRunner) -> None:
            before = _write_edge(tx, "mention", params, ends, writes)
            tx.run(q.RECOUNT_MENTIONS, {"ids": sorted({mention.entity_id, *before})})

        self._x.transaction(work)

    def replace_document(self, kb_id: str, document_id: str, graph: DocumentGraph) -> None:
        rows = gd.document_rows(document_id, graph)  # refuses bad input before any write
        self._x.transaction(lambda tx: _replace_document(tx, kb_id, document_id, rows))

    def delete_document(self, kb_id: str, document_id: str) -> None:
        self._x.transaction(lambda tx: _finish_document(tx, kb_id, document_id, set()))

    def set_communities(self, kb_id: str, communities: Mapping[str, int]) -> None:
        rows = [{"id": i, "community": int(n)} for i, n in communities.items()]

        def work(tx: CypherRunner) -> None:
            tx.run(q.CLEAR_COMMUNITIES, {"kb_id": kb_id})
            for batch in _batches(rows):
                tx.run(q.SET_COMMUNITIES, {"kb_id": kb_id, "rows": batch})

        self._x.transaction(work)

    # -- reads ---------------------------------------------------------------

    def neighbourhood(
        self, kb_id: str, entity_ids: Sequence[str], *, hops: int = 1, limit: int = 200
    ) -> Subgraph:
        if hops < 0:
            raise ValueError("hops must be 0 or more")
        if not entity_ids or limit <= 0:
            return Subgraph()
        selected = self._walk(kb_id, sorted(set(entity_ids)), hops, limit)
        if not selected:
            return Subgraph()
        by_id = {e.id: e for e in self._entities(q.ENTITIES_BY_ID, [kb_id], "ids", selected)}
        entities = [by_id[entity_id] for entity_id in selected if entity_id in by_id]
        rows = self._x.run(q.RELATIONS_AMONG, {"kb_id": kb_id, "ids": selected})
        relations = gd.one_per_pair(_relation(row) for row in rows)
        return Subgraph(entities=entities, relations=relations)

    def find_entities(
        self,
        kb_ids: Sequence[str],
        text: str,
        *,
        limit: int = 20,
        types: Sequence[str] = (),
        community: int | None = None,
    ) -> list[Entity]:
        key = entity_key(text)
        if not kb_ids or limit <= 0 or (text.strip() and not key):
            return []
        params: dict[str, Any] = {"kb_ids": list(kb_ids), "key": key, "types": list(types)}
        params["community"] = community
        found: list[Entity] = []
        for match in ("prefix", "contains") if key else ("any",):
            query = q.find_entities(match=match, types=bool(types), community=community is not None)
            rows = self._x.run(query, params | {"limit": limit - len(found)})
            found += [_entity(row) for row in rows]
            if len(found) >= limit:
                break
        return found

    def entities_by_keys(self, kb_ids: Sequence[str], keys: Sequence[str]) -> list[Entity]:
        found = self._entities(q.ENTITIES_BY_KEY, kb_ids, "keys", keys)
        return sorted(found, key=lambda e: (e.key, e.kb_id))

    def get_entities(self, kb_ids: Sequence[str], entity_ids: Sequence[str]) -> list[Entity]:
        by_id = {e.id: e for e in self._entities(q.ENTITIES_BY_ID, kb_ids, "ids", entity_ids)}
        return [by_id[i] for i in dict.fromkeys(entity_ids) if i in by_id]

    def mentions_of(
        self, kb_ids: Sequence[str], entity_ids: Sequence[str], *, limit: int = 200
    ) -> list[Mention]:
        if not kb_ids or not entity_ids or limit <= 0:
            return []
        params = {"kb_ids": list(kb_ids), "ids": sorted(set(entity_ids)), "limit": limit}
        return [_mention(row) for row in self._x.run(q.MENTIONS_OF, params)]

    def mentions_in_chunks(self, kb_ids: Sequence[str], chunk_ids: Sequence[str]) -> list[Mention]:
        if not kb_ids or not chunk_ids:
            return []
        params = {"kb_ids": list(kb_ids), "ids": sorted(set(chunk_ids))}
        return [_mention(row) for row in self._x.run(q.MENTIONS_IN_CHUNKS, params)]

    def relations_of(
        self, kb_ids: Sequence[str], entity_id: str, *, limit: int = 100
    ) -> list[Relation]:
        if not kb_ids or limit <= 0:
            return []
        params = {"kb_ids": list(kb_ids), "id": entity_id, "limit": limit}
        found = {row["id"]: _relation(row) for row in self._x.run(q.RELATIONS_OF, params)}
        return sorted(found.values(), key=lambda r: (-r.weight, r.id))[:limit]

    def weighted_edges(self, kb_id: str) -> list[tuple[str, str, float]]:
        """Undirected: each related pair once as (smaller id, larger id), weights summed over
        directions, types and documents."""
        rows = self._x.run(q.EDGES, {"kb_id": kb_id})
        return gd.undirected((r["source_id"], r["target_id"], r["weight"]) for r in rows)

    def stats(self, kb_id: str) -> GraphStats:
        params = {"kb_id": kb_id}
        entities = self._x.run(q.COUNT_ENTITIES, params)[0]
        return GraphStats(
            entities=entities["entities"],
            relations=self._x.run(q.COUNT_RELATIONS, params)[0]["n"],
            mentions=self._x.run(q.COUNT_MENTIONS, params)[0]["n"],
            communities=entities["communities"],
        )

    def health(self) -> None:
        self._x.run("RETURN 1 AS ok")

    def close(self) -> None:
        self._x.close()

    def _entities(
        self, query: str, kb_ids: Sequence[str], name: str, values: Sequence[str]
    ) -> list[Entity]:
        if not kb_ids or not values:
            return []
        params = {"kb_ids": list(kb_ids), name: sorted(set(values))}
        return [_entity(row) for row in self._x.run(query, params)]

    def _walk(self, kb_id: str, seeds: list[str], hops: int, limit: int) -> list[str]:
        """Breadth-first, nearest first, ties by id, as the SQL store orders its walk."""
        found = self._x.run(q.ENTITY_IDS_IN_KB, {"kb_id": kb_id, "ids": seeds})
        selected = sorted(row["id"] for row in found)[:limit]
        frontier = selected
        for _ in range(hops):
            room = limit - len(selected)
            if not frontier or room <= 0:
                break
            params = {"kb_id": kb_id, "frontier": frontier, "seen": selected, "room": room}
            frontier = sorted(row["id"] for row in self._x.run(q.STEP, params))[:room]
            selected = selected + frontier
        return selected


# -- transaction bodies --------------------------------------------------------


def _write_entity(tx: CypherRunner, entity: Entity) -> None:
    params = {"id": entity.id, "kb_id": entity.kb_id, "key": entity.key}
    rows = tx.run(q.ENTITY_SLOTS, params)
    owners = {row["owner"] for row in rows} - {None}
    holders = {row["key_holder"] for row in rows} - {None}
    if owners - {entity.kb_id}:
        raise ValueError(f"entity id {entity.id!r} already belongs to another knowledge base")
    if owners and holders - {entity.id}:
        raise ValueError(f"entity {entity.id!r} clashes on key {entity.key!r}")
    stored = tx.run(q.ENTITY_BY_KEY if holders else q.ENTITY_BY_ID, params)
    draft = EntityDraft(entity.key, entity.name, entity.type, entity.description, entity.aliases)
    row = params | gd.merged_entity(stored[0] if stored else None, draft)
    if owners:
        tx.run(q.UPDATE_ENTITY, {"rows": [row]})
    else:
        tx.run(q.MERGE_ENTITIES, {"kb_id": entity.kb_id, "rows": [row]})


def _write_edge(
    tx: CypherRunner,
    kind: str,
    params: dict[str, Any],
    ends: tuple[str, str],
    queries: tuple[str, str, str],
) -> set[str]:
    """Upsert a relation or a mention by id, moving it if its ends changed; the entity ids
    it pointed at before."""
    current, drop, merge = queries
    entity_ids = sorted({params[end] for end in ends if end != "chunk_id"})
    _require_entities(tx, params["kb_id"], entity_ids)
    before: set[str] = set()
    for row in tx.run(current, params):
        if row["kb_id"] != params["kb_id"]:
            raise ValueError(
                f"{kind} id {params['id']!r} already belongs to another knowledge base"
            )
        before |= {row[end] for end in ends if end != "chunk_id"}
        if any(row[end] != params[end] for end in ends):
            tx.run(drop, params)
    tx.run(merge, params)
    return before


def _require_entities(tx: CypherRunner, kb_id: str, entity_ids: list[str]) -> None:
    found = _ids(tx.run(q.ENTITY_IDS_IN_KB, {"kb_id": kb_id, "ids": entity_ids}))
    missing = set(entity_ids) - found
    if missing:
        raise ValueError(f"unknown entities in knowledge base {kb_id!r}: {sorted(missing)}")


def _replace_document(
    tx: CypherRunner, kb_id: str, document_id: str, rows: gd.DocumentRows
) -> None:
    params = {"kb_id": kb_id, "document_id": document_id}
    touched = _ends(tx.run(q.TOUCHED_BY_RELATIONS, params))
    touched |= _ids(tx.run(q.TOUCHED_BY_MENTIONS, params))
    tx.run(q.DELETE_RELATIONS, params)
    tx.run(q.DELETE_MENTIONS, params)
    ids = _merge_entities(tx, kb_id, rows.entities)
    mentions = [{**asdict(m), "entity_id": ids[m.key]} for m in rows.mentions]
    relations = [
        {**asdict(r), "source_id": ids[r.source_key], "target_id": ids[r.target_key]}
        for r in rows.relations
    ]
    for query, items in ((q.CREATE_MENTIONS, mentions), (q.CREATE_RELATIONS, relations)):
        for batch in _batches(items):
            tx.run(query, params | {"rows": batch})
    _finish_document(tx, kb_id, document_id, touched | set(ids.values()))


def _finish_document(tx: CypherRunner, kb_id: str, document_id: str, touched: set[str]) -> None:
    """Drop what is left of the document's relations and mentions, recount the touched
    entities and delete those left with neither."""
    params = {"kb_id": kb_id, "document_id": document_id}
    if not touched:
        touched = _ends(tx.run(q.TOUCHED_BY_RELATIONS, params))
        touched |= _ids(tx.run(q.TOUCHED_BY_MENTIONS, params))
        tx.run(q.DELETE_RELATIONS, params)
        tx.run(q.DELETE_MENTIONS, params)
    tx.run(q.DELETE_UNUSED_CHUNKS, params)
    for batch in _batches(sorted(touched)):
        tx.run(q.RECOUNT_MENTIONS, {"ids": batch})
        tx.run(q.DELETE_ORPHANS, {"kb_id": kb_id, "ids": batch})


def _merge_entities(
    tx: CypherRunner, kb_id: str, drafts: Mapping[str, EntityDraft]
) -> dict[str, str]:
    """Create new entities and update the others; the id of every key."""
    stored: dict[str, dict[str, Any]] = {}
    for keys in _batches(sorted(drafts)):
        for found in tx.run(q.ENTITIES_BY_KEYS_IN_KB, {"kb_id": kb_id, "keys": keys}):
            stored[found["key"]] = found
    ids: dict[str, str] = {}
    writes: list[dict[str, Any]] = []
    for key, draft in drafts.items():
        row = stored.get(key)
        values = gd.merged_entity(row, draft)
        ids[key] = row["id"] if row else gd.entity_id(kb_id, key)
        if row is None or any(values[name] != (row[name] or _EMPTY[name]) for name in values):
            writes.append({"id": ids[key], "key": key, **values})
    for batch in _batches(writes):
        tx.run(q.MERGE_ENTITIES, {"kb_id": kb_id, "rows": batch})
    return ids


_EMPTY: dict[str, Any] = {"name": "", "type": "", "description": "", "aliases": []}


def _batches(items: Sequence[T]) -> Iterable[list[T]]:
    for start in range(0, len(items), _UNWIND_BATCH):
        yield list(items[start : start + _UNWIND_BATCH])


def _ends(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {row[end] for row in rows for end in ("source_id", "target_id")}


def _ids(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {row["id"] for row in rows}


def _entity(row: dict[str, Any]) -> Entity:
    return Entity(
        id=row["id"],
        kb_id=row["kb_id"],
        key=row["key"],
        name=row["name"] or "",
        type=row["type"] or "",
        description=row["description"] or "",
        aliases=tuple(row["aliases"] or ()),
        community=row["community"],
        mentions=int(row["mentions"] or 0),
    )


def _relation(row: dict[str, Any]) -> Relation:
    return Relation(
        id=row["id"],
        kb_id=row["kb_id"],
        source_id=row["source_id"],
        target_id=row["target_id"],
        type=row["type"] or "",
        document_id=row["document_id"],
        weight=float(row["weight"]),
        evidence=row["evidence"] or "",
        chunk_id=row["chunk_id"] or "",
    )


def _mention(row: dict[str, Any]) -> Mention:
    return Mention(
        id=row["id"],
        kb_id=row["kb_id"],
        entity_id=row["entity_id"],
        document_id=row["document_id"],
        chunk_id=row["chunk_id"],
        char_start=int(row["char_start"] or 0),
        char_end=int(row["char_end"] or 0),
    )
