"""Server graph store in Cypher: Neo4j in production, FalkorDB in tests.

The FalkorDB executor is test code (tests/integration/graph/graph_targets.py): the app only
talks to Neo4j.

The queries keep to the Cypher that both engines accept (MATCH, OPTIONAL MATCH,
MERGE, SET, UNWIND, DELETE, DETACH DELETE, parameters), so one store runs on
either executor. The model:

    (:Entity {id, kb_id, key, name, type, description})
    (:Entity)-[:REL {id, kb_id, type, document_id, weight}]->(:Entity)
    (:Entity)-[:MENTIONED_IN {id, kb_id, document_id}]->(:Chunk {id, kb_id, document_id})

The semantics match the SQL store (`sql_graph.py`): global ids, entities merged
on (kb_id, key), relations and mentions only between things of one KB, and a
neighbourhood walked breadth-first one query per hop, nearest first, ties by id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TypeVar

import neo4j

from lumikb_app.ports.graph import Entity, Mention, Relation, Subgraph

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
    Index("lumikb_chunk_id", "(x:Chunk)", "id"),
    Index("lumikb_chunk_document", "(x:Chunk)", "document_id"),
    Index("lumikb_rel_id", "()-[x:REL]-()", "id"),
    Index("lumikb_rel_document", "()-[x:REL]-()", "document_id"),
    Index("lumikb_mention_id", "()-[x:MENTIONED_IN]-()", "id"),
    Index("lumikb_mention_document", "()-[x:MENTIONED_IN]-()", "document_id"),
)


class CypherRunner(Protocol):
    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows: ...


class CypherExecutor(CypherRunner, Protocol):
    def transaction(self, work: Callable[[CypherRunner], T]) -> T:
        """Run `work` in one write transaction where the engine has them (it may be retried)."""

    def ensure_index(self, index: Index) -> None: ...

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

    def close(self) -> None:
        self._driver.close()


class _Neo4jTransaction:
    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        return self._tx.run(query, dict(params or {})).data()


# -- queries -----------------------------------------------------------------

_ENTITY_SLOTS = """
OPTIONAL MATCH (by_id:Entity {id: $id})
OPTIONAL MATCH (by_key:Entity {kb_id: $kb_id, key: $key})
RETURN by_id.kb_id AS owner, by_key.id AS key_holder
"""
_KEEP_UNLESS_EMPTY = """
SET e.name = $name,
    e.type = CASE WHEN $type <> '' THEN $type ELSE e.type END,
    e.description = CASE WHEN $description <> '' THEN $description ELSE e.description END
"""
_MERGE_ENTITY = (
    "MERGE (e:Entity {kb_id: $kb_id, key: $key})"
    " ON CREATE SET e.id = $id, e.type = '', e.description = ''" + _KEEP_UNLESS_EMPTY
)
_UPDATE_ENTITY = "MATCH (e:Entity {id: $id, kb_id: $kb_id}) SET e.key = $key" + _KEEP_UNLESS_EMPTY
_ENTITY_IDS_IN_KB = "MATCH (e:Entity) WHERE e.id IN $ids AND e.kb_id = $kb_id RETURN e.id AS id"

_RELATION_NOW = """
MATCH (s:Entity)-[r:REL {id: $id}]->(t:Entity)
RETURN r.kb_id AS kb_id, s.id AS source_id, t.id AS target_id
"""
_DROP_RELATION = "MATCH ()-[r:REL {id: $id}]->() DELETE r"
_MERGE_RELATION = """
MATCH (s:Entity {id: $source_id, kb_id: $kb_id}), (t:Entity {id: $target_id, kb_id: $kb_id})
MERGE (s)-[r:REL {id: $id}]->(t)
SET r.kb_id = $kb_id, r.type = $type, r.document_id = $document_id, r.weight = $weight
"""

_MENTION_NOW = """
MATCH (e:Entity)-[m:MENTIONED_IN {id: $id}]->(c:Chunk)
RETURN m.kb_id AS kb_id, e.id AS entity_id, c.id AS chunk_id
"""
_DROP_MENTION = "MATCH ()-[m:MENTIONED_IN {id: $id}]->() DELETE m"
_MERGE_MENTION = """
MATCH (e:Entity {id: $entity_id, kb_id: $kb_id})
MERGE (c:Chunk {id: $chunk_id})
ON CREATE SET c.kb_id = $kb_id, c.document_id = $document_id
MERGE (e)-[m:MENTIONED_IN {id: $id}]->(c)
SET m.kb_id = $kb_id, m.document_id = $document_id
"""

_DOCUMENT_EDGES = "WHERE x.kb_id = $kb_id AND x.document_id = $document_id"
# Directed patterns only: FalkorDB drops one direction when an undirected pattern is
# filtered on an indexed relationship property.
_TOUCHED_BY_RELATIONS = f"""
MATCH (s:Entity)-[x:REL]->(t:Entity) {_DOCUMENT_EDGES} RETURN s.id AS id
UNION
MATCH (s:Entity)-[x:REL]->(t:Entity) {_DOCUMENT_EDGES} RETURN t.id AS id
"""
_TOUCHED_BY_MENTIONS = (
    f"MATCH (e:Entity)-[x:MENTIONED_IN]->() {_DOCUMENT_EDGES} RETURN DISTINCT e.id AS id"
)
_DELETE_RELATIONS = f"MATCH ()-[x:REL]->() {_DOCUMENT_EDGES} DELETE x"
_DELETE_MENTIONS = f"MATCH ()-[x:MENTIONED_IN]->() {_DOCUMENT_EDGES} DELETE x"
_DELETE_UNUSED_CHUNKS = """
MATCH (c:Chunk {kb_id: $kb_id, document_id: $document_id})
OPTIONAL MATCH (c)<-[m:MENTIONED_IN]-()
WITH c, count(m) AS mentions WHERE mentions = 0
DELETE c
"""
_DELETE_ORPHANS = """
UNWIND $ids AS entity_id
MATCH (e:Entity {id: entity_id, kb_id: $kb_id})
OPTIONAL MATCH (e)-[x]-()
WITH e, count(x) AS degree WHERE degree = 0
DELETE e
"""

_STEP = """
MATCH (a:Entity)-[r:REL]->(b:Entity)
WHERE a.id IN $frontier AND a.kb_id = $kb_id AND r.kb_id = $kb_id AND b.kb_id = $kb_id
RETURN b.id AS id
UNION
MATCH (a:Entity)<-[r:REL]-(b:Entity)
WHERE a.id IN $frontier AND a.kb_id = $kb_id AND r.kb_id = $kb_id AND b.kb_id = $kb_id
RETURN b.id AS id
"""
_ENTITIES = """
MATCH (e:Entity) WHERE e.id IN $ids AND e.kb_id = $kb_id
RETURN e.id AS id, e.kb_id AS kb_id, e.key AS key, e.name AS name,
       e.type AS type, e.description AS description
"""
_RELATIONS_AMONG = """
MATCH (s:Entity)-[r:REL]->(t:Entity)
WHERE s.id IN $ids AND t.id IN $ids AND r.kb_id = $kb_id AND s.kb_id = $kb_id AND t.kb_id = $kb_id
RETURN r.id AS id, r.kb_id AS kb_id, s.id AS source_id, t.id AS target_id,
       r.type AS type, r.document_id AS document_id, r.weight AS weight
ORDER BY id
"""


# -- store -------------------------------------------------------------------


class CypherGraphStore:
    embedded = False

    def __init__(self, executor: CypherExecutor, *, create_indexes: bool = True) -> None:
        self._x = executor
        if create_indexes:
            for index in INDEXES:
                executor.ensure_index(index)

    # -- writes --------------------------------------------------------------

    def upsert_entity(self, entity: Entity) -> None:
        params = asdict(entity)
        self._x.transaction(lambda tx: _write_entity(tx, params))

    def upsert_relation(self, relation: Relation) -> None:
        params = asdict(relation) | {"weight": float(relation.weight)}
        ends = ("source_id", "target_id")
        writes = (_RELATION_NOW, _DROP_RELATION, _MERGE_RELATION)
        self._x.transaction(lambda tx: _write_edge(tx, "relation", params, ends, writes))

    def upsert_mention(self, mention: Mention) -> None:
        params = asdict(mention)
        ends = ("entity_id", "chunk_id")
        writes = (_MENTION_NOW, _DROP_MENTION, _MERGE_MENTION)
        self._x.transaction(lambda tx: _write_edge(tx, "mention", params, ends, writes))

    def delete_document(self, kb_id: str, document_id: str) -> None:
        self._x.transaction(lambda tx: _delete_document(tx, kb_id, document_id))

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
        params = {"kb_id": kb_id, "ids": selected}
        by_id = {row["id"]: _entity(row) for row in self._x.run(_ENTITIES, params)}
        entities = [by_id[entity_id] for entity_id in selected if entity_id in by_id]
        relations = [_relation(row) for row in self._x.run(_RELATIONS_AMONG, params)]
        return Subgraph(entities=entities, relations=relations)

    def health(self) -> None:
        self._x.run("RETURN 1 AS ok")

    def close(self) -> None:
        self._x.close()

    def _walk(self, kb_id: str, seeds: list[str], hops: int, limit: int) -> list[str]:
        """Breadth-first, nearest first, ties by id, as the SQL store orders its walk."""
        found = self._x.run(_ENTITY_IDS_IN_KB, {"kb_id": kb_id, "ids": seeds})
        selected = sorted(row["id"] for row in found)[:limit]
        frontier = selected
        for _ in range(hops):
            if not frontier or len(selected) >= limit:
                break
            rows = self._x.run(_STEP, {"kb_id": kb_id, "frontier": frontier})
            frontier = sorted({row["id"] for row in rows} - set(selected))[: limit - len(selected)]
            selected = selected + frontier
        return selected


# -- transaction bodies --------------------------------------------------------


def _write_entity(tx: CypherRunner, params: dict[str, Any]) -> None:
    rows = tx.run(_ENTITY_SLOTS, params)
    owners = {row["owner"] for row in rows} - {None}
    holders = {row["key_holder"] for row in rows} - {None}
    if owners - {params["kb_id"]}:
        raise ValueError(f"entity id {params['id']!r} already belongs to another knowledge base")
    if not owners:
        tx.run(_MERGE_ENTITY, params)
        return
    if holders - {params["id"]}:
        raise ValueError(f"entity {params['id']!r} clashes on key {params['key']!r}")
    tx.run(_UPDATE_ENTITY, params)


def _write_edge(
    tx: CypherRunner,
    kind: str,
    params: dict[str, Any],
    ends: tuple[str, str],
    queries: tuple[str, str, str],
) -> None:
    """Upsert a relation or a mention by id, moving it if its ends changed."""
    current, drop, merge = queries
    entity_ids = sorted({params[end] for end in ends if end != "chunk_id"})
    _require_entities(tx, params["kb_id"], entity_ids)
    for row in tx.run(current, params):
        if row["kb_id"] != params["kb_id"]:
            raise ValueError(
                f"{kind} id {params['id']!r} already belongs to another knowledge base"
            )
        if any(row[end] != params[end] for end in ends):
            tx.run(drop, params)
    tx.run(merge, params)


def _require_entities(tx: CypherRunner, kb_id: str, entity_ids: list[str]) -> None:
    found = {row["id"] for row in tx.run(_ENTITY_IDS_IN_KB, {"kb_id": kb_id, "ids": entity_ids})}
    missing = set(entity_ids) - found
    if missing:
        raise ValueError(f"unknown entities in knowledge base {kb_id!r}: {sorted(missing)}")


def _delete_document(tx: CypherRunner, kb_id: str, document_id: str) -> None:
    params = {"kb_id": kb_id, "document_id": document_id}
    touched = _ids(tx.run(_TOUCHED_BY_RELATIONS, params)) | _ids(
        tx.run(_TOUCHED_BY_MENTIONS, params)
    )
    for query in (_DELETE_RELATIONS, _DELETE_MENTIONS, _DELETE_UNUSED_CHUNKS):
        tx.run(query, params)
    if touched:
        tx.run(_DELETE_ORPHANS, {"kb_id": kb_id, "ids": sorted(touched)})


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
    )
