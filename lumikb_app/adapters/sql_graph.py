"""Embedded graph store: entities, relations and mentions in SQL tables, walked with a recursive CTE.

Works on SQLite and PostgreSQL alike. Ids are global: reusing an id that belongs
to another KB is refused. Entities merge on (kb_id, key): the first id stays,
the name follows the latest write, and a non-empty type or description
replaces the stored one. Relations and mentions must point at entities of
their own KB.

The neighbourhood walks relations in both directions up to `hops`, keeps the
nearest entities first (ties broken by id) up to `limit`, and returns the
relations among the entities it keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Delete,
    Row,
    Table,
    Update,
    bindparam,
    case,
    delete,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.db.tables import GraphEntity, GraphMention, GraphRelation
from lumikb_app.ports.graph import Entity, Mention, Relation, Subgraph

# SQLModel sets __table__ on table=True classes without declaring it to type checkers.
ENTITIES: Table = GraphEntity.__table__  # type: ignore[attr-defined]
RELATIONS: Table = GraphRelation.__table__  # type: ignore[attr-defined]
MENTIONS: Table = GraphMention.__table__  # type: ignore[attr-defined]
_Upsert = sqlite.Insert | postgresql.Insert
_BATCH = 500  # ids per IN (...) list, well under SQLite's and PostgreSQL's bind limits

# Each step must find relations through the source_id/target_id indexes. Without
# statistics (a fresh SQLite file, a PostgreSQL table not yet analyzed) both planners
# would rather scan the whole KB through the kb_id index on every step (measured 15x
# to 40x slower at 30k relations), so the relation's kb_id is compared as an
# expression no index matches.
_WALK = text(
    """
    WITH RECURSIVE walk(id, depth) AS (
        SELECT CAST(e.id AS TEXT), 0 FROM graph_entities e
        WHERE e.kb_id = :kb_id AND e.id IN :seeds
      UNION
        SELECT CAST(CASE WHEN r.source_id = w.id THEN r.target_id ELSE r.source_id END AS TEXT),
               w.depth + 1
        FROM walk w
        JOIN graph_relations r ON (r.source_id = w.id OR r.target_id = w.id)
        WHERE w.depth < :hops AND r.kb_id || '' = :kb_id
    )
    SELECT e.id, e.kb_id, e.key, e.name, e.type, e.description
    FROM (SELECT id, MIN(depth) AS depth FROM walk GROUP BY id) nearest
    JOIN graph_entities e ON e.id = nearest.id
    WHERE e.kb_id = :kb_id
    ORDER BY nearest.depth, e.id
    LIMIT :limit
    """
).bindparams(bindparam("seeds", expanding=True))


class SqlGraphStore:
    embedded = True

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        dialects: dict[str, Callable[[Table], _Upsert]] = {
            "sqlite": sqlite.insert,
            "postgresql": postgresql.insert,
        }
        name = db.engine.dialect.name
        if name not in dialects:
            raise ValueError(f"SQL graph store needs SQLite or PostgreSQL, not {name}")
        self._insert = dialects[name]

    # -- writes --------------------------------------------------------------

    def upsert_entity(self, entity: Entity) -> None:
        values = asdict(entity)
        try:
            with self._db.engine.begin() as conn:
                owner = _owner(conn, ENTITIES, entity.id)
                _check_owner("entity", entity.id, owner, entity.kb_id)
                conn.execute(
                    self._merge_entity(values) if owner is None else _update_entity(values)
                )
        except IntegrityError as exc:
            raise ValueError(f"entity {entity.id!r} clashes on key {entity.key!r}") from exc

    def upsert_relation(self, relation: Relation) -> None:
        values = asdict(relation)
        with self._db.engine.begin() as conn:
            _check_owner(
                "relation", relation.id, _owner(conn, RELATIONS, relation.id), relation.kb_id
            )
            _require_entities(conn, relation.kb_id, {relation.source_id, relation.target_id})
            conn.execute(self._upsert_by_id(RELATIONS, values))

    def upsert_mention(self, mention: Mention) -> None:
        values = asdict(mention)
        with self._db.engine.begin() as conn:
            _check_owner("mention", mention.id, _owner(conn, MENTIONS, mention.id), mention.kb_id)
            _require_entities(conn, mention.kb_id, {mention.entity_id})
            conn.execute(self._upsert_by_id(MENTIONS, values))

    def delete_document(self, kb_id: str, document_id: str) -> None:
        with self._db.engine.begin() as conn:
            relations = _document_rows(conn, RELATIONS, kb_id, document_id)
            mentions = _document_rows(conn, MENTIONS, kb_id, document_id)
            for table, rows in ((RELATIONS, relations), (MENTIONS, mentions)):
                for batch in _batches(sorted(row.id for row in rows)):
                    conn.execute(delete(table).where(table.c.id.in_(batch)))
            touched = {row.source_id for row in relations} | {row.target_id for row in relations}
            touched |= {row.entity_id for row in mentions}
            for batch in _batches(sorted(touched)):
                conn.execute(_delete_orphans(kb_id, batch))

    # -- reads ---------------------------------------------------------------

    def neighbourhood(
        self, kb_id: str, entity_ids: Sequence[str], *, hops: int = 1, limit: int = 200
    ) -> Subgraph:
        if hops < 0:
            raise ValueError("hops must be 0 or more")
        seeds = sorted(set(entity_ids))
        if not seeds or limit <= 0:
            return Subgraph()
        with self._db.engine.connect() as conn:
            params = {"kb_id": kb_id, "seeds": seeds, "hops": hops, "limit": limit}
            entities = [Entity(**row._mapping) for row in conn.execute(_WALK, params)]
            relations = _relations_among(conn, kb_id, [entity.id for entity in entities])
        return Subgraph(entities=entities, relations=relations)

    def health(self) -> None:
        with self._db.engine.connect() as conn:
            conn.execute(select(ENTITIES.c.id).limit(1))

    def close(self) -> None:
        """The database adapter owns the engine; nothing to release here."""

    # -- statements ----------------------------------------------------------

    def _merge_entity(self, values: dict[str, Any]) -> _Upsert:
        statement = self._insert(ENTITIES).values(values)
        new = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=["kb_id", "key"],
            set_={
                "name": new.name,
                "type": _keep_unless_empty(ENTITIES.c.type, new.type),
                "description": _keep_unless_empty(ENTITIES.c.description, new.description),
            },
        )

    def _upsert_by_id(self, table: Table, values: dict[str, Any]) -> _Upsert:
        statement = self._insert(table).values(values)
        changes = {name: statement.excluded[name] for name in values if name not in ("id", "kb_id")}
        return statement.on_conflict_do_update(index_elements=["id"], set_=changes)


def _update_entity(values: dict[str, Any]) -> Update:
    return (
        update(ENTITIES)
        .where(ENTITIES.c.id == values["id"])
        .values(
            key=values["key"],
            name=values["name"],
            type=_keep_unless_empty(ENTITIES.c.type, values["type"]),
            description=_keep_unless_empty(ENTITIES.c.description, values["description"]),
        )
    )


def _keep_unless_empty(current: ColumnElement[str], new: Any) -> ColumnElement[str]:
    return case((new != "", new), else_=current)


def _owner(conn: Connection, table: Table, row_id: str) -> str | None:
    return conn.execute(select(table.c.kb_id).where(table.c.id == row_id)).scalar_one_or_none()


def _check_owner(kind: str, row_id: str, owner: str | None, kb_id: str) -> None:
    if owner is not None and owner != kb_id:
        raise ValueError(f"{kind} id {row_id!r} already belongs to another knowledge base")


def _require_entities(conn: Connection, kb_id: str, entity_ids: set[str]) -> None:
    query = select(ENTITIES.c.id).where(
        ENTITIES.c.kb_id == kb_id, ENTITIES.c.id.in_(sorted(entity_ids))
    )
    missing = entity_ids - set(conn.execute(query).scalars())
    if missing:
        raise ValueError(f"unknown entities in knowledge base {kb_id!r}: {sorted(missing)}")


def _document_rows(conn: Connection, table: Table, kb_id: str, document_id: str) -> list[Row[Any]]:
    # Found through the document_id index; kb_id is checked here so the planner cannot
    # prefer the far less selective kb_id index.
    rows = conn.execute(select(table).where(table.c.document_id == document_id))
    return [row for row in rows if row.kb_id == kb_id]


def _delete_orphans(kb_id: str, entity_ids: list[str]) -> Delete:
    mentioned = select(MENTIONS.c.id).where(MENTIONS.c.entity_id == ENTITIES.c.id)
    related = select(RELATIONS.c.id).where(
        (RELATIONS.c.source_id == ENTITIES.c.id) | (RELATIONS.c.target_id == ENTITIES.c.id)
    )
    return delete(ENTITIES).where(
        ENTITIES.c.kb_id == kb_id,
        ENTITIES.c.id.in_(entity_ids),
        ~mentioned.exists(),
        ~related.exists(),
    )


def _relations_among(conn: Connection, kb_id: str, entity_ids: list[str]) -> list[Relation]:
    if not entity_ids:
        return []
    # kb_id is checked here, not in SQL, so the planner uses the source/target indexes
    # rather than scanning the whole KB through the kb_id index.
    query = (
        select(RELATIONS)
        .where(RELATIONS.c.source_id.in_(entity_ids), RELATIONS.c.target_id.in_(entity_ids))
        .order_by(RELATIONS.c.id)
    )
    rows = conn.execute(query)
    return [Relation(**row._mapping) for row in rows if row.kb_id == kb_id]


def _batches(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
