"""Embedded graph store: entities, relations and mentions in SQL tables.

Works on SQLite and PostgreSQL alike. Ids are global: reusing an id that belongs
to another KB is refused. Entities merge on (kb_id, key) as `graph_document`
says; relations and mentions must point at entities of their own KB, and every
write keeps `mention_count` current for the entities it touches.

`replace_document` is one transaction of bulk statements (multi-row inserts,
executemany updates, IN lists of `BATCH` ids), never a statement per row. The
writes of one KB's graph go one at a time (`_lock_kb`), so mention counts stay
right when several documents are written at once.

The neighbourhood is walked breadth-first, one query per hop, and stops as soon
as `limit` entities are found: the nearest entities first, ties broken by id.
That is what a recursive CTE over all hops returns, without walking the
neighbours of a hub's neighbours when the first hop already fills the limit
(`bench/graph_traversal.py` measures both). The relations among the entities
kept come one per (source, target, type), as the port says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from lumikb_app.adapters import graph_document as gd
from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.adapters.sql_graph_walk import batches, relations_among, walk
from lumikb_app.db.tables import GraphEntity, GraphMention, GraphRelation
from lumikb_app.domain.graph import DocumentGraph, EntityDraft
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.ports.graph import Entity, GraphStats, Mention, Relation, Subgraph

# SQLModel sets __table__ on table=True classes without declaring it to type checkers.
ENTITIES: Table = GraphEntity.__table__  # type: ignore[attr-defined]
RELATIONS: Table = GraphRelation.__table__  # type: ignore[attr-defined]
MENTIONS: Table = GraphMention.__table__  # type: ignore[attr-defined]
_LAST_CHAR = "\U0010ffff"


class SqlGraphStore:
    embedded = True

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db
        if db.engine.dialect.name not in ("sqlite", "postgresql"):
            raise ValueError(
                f"SQL graph store needs SQLite or PostgreSQL, not {db.engine.dialect.name}"
            )

    # -- writes --------------------------------------------------------------

    def upsert_entity(self, entity: Entity) -> None:
        """Merge by key into the first entity of that key; `community` and `mentions` are
        the store's to keep and are not written from here."""
        draft = EntityDraft(
            entity.key, entity.name, entity.type, entity.description, entity.aliases
        )
        try:
            with self._db.engine.begin() as conn:
                _lock_kb(conn, entity.kb_id)
                by_id = _entity_rows(conn, ENTITIES.c.id.in_([entity.id]))
                if by_id and by_id[0].kb_id != entity.kb_id:
                    raise ValueError(
                        f"entity id {entity.id!r} already belongs to another knowledge base"
                    )
                by_key = _entity_rows(
                    conn, ENTITIES.c.kb_id == entity.kb_id, ENTITIES.c.key == entity.key
                )
                if by_id and by_key and by_key[0].id != entity.id:
                    raise ValueError(f"entity {entity.id!r} clashes on key {entity.key!r}")
                stored = by_key[0] if by_key else (by_id[0] if by_id else None)
                values = gd.merged_entity(_stored(stored), draft) | {"key": entity.key}
                if stored is None:
                    conn.execute(insert(ENTITIES), [_new_entity(entity.kb_id, entity.id, values)])
                else:
                    conn.execute(update(ENTITIES).where(ENTITIES.c.id == stored.id).values(values))
        except IntegrityError as exc:
            raise ValueError(f"entity {entity.id!r} clashes on key {entity.key!r}") from exc

    def upsert_relation(self, relation: Relation) -> None:
        values = asdict(relation)
        with self._db.engine.begin() as conn:
            _check_owner(conn, RELATIONS, "relation", relation.id, relation.kb_id)
            _require_entities(conn, relation.kb_id, {relation.source_id, relation.target_id})
            conn.execute(delete(RELATIONS).where(RELATIONS.c.id == relation.id))
            conn.execute(insert(RELATIONS), [values])

    def upsert_mention(self, mention: Mention) -> None:
        values = asdict(mention)
        with self._db.engine.begin() as conn:
            _lock_kb(conn, mention.kb_id)
            _check_owner(conn, MENTIONS, "mention", mention.id, mention.kb_id)
            _require_entities(conn, mention.kb_id, {mention.entity_id})
            before = conn.execute(
                select(MENTIONS.c.entity_id).where(MENTIONS.c.id == mention.id)
            ).scalars()
            touched = {mention.entity_id, *before}
            conn.execute(delete(MENTIONS).where(MENTIONS.c.id == mention.id))
            conn.execute(insert(MENTIONS), [values])
            _recount_mentions(conn, touched)

    def replace_document(self, kb_id: str, document_id: str, graph: DocumentGraph) -> None:
        rows = gd.document_rows(document_id, graph)  # refuses bad input before any write
        with self._db.engine.begin() as conn:
            _lock_kb(conn, kb_id)
            touched = _drop_document(conn, kb_id, document_id)
            ids = _merge_entities(conn, kb_id, rows.entities)
            _insert_rows(conn, kb_id, document_id, rows, ids)
            touched |= set(ids.values())
            _recount_mentions(conn, touched)
            _delete_orphans(conn, kb_id, touched)

    def delete_document(self, kb_id: str, document_id: str) -> None:
        with self._db.engine.begin() as conn:
            _lock_kb(conn, kb_id)
            touched = _drop_document(conn, kb_id, document_id)
            _recount_mentions(conn, touched)
            _delete_orphans(conn, kb_id, touched)

    def set_communities(self, kb_id: str, communities: Mapping[str, int]) -> None:
        by_number: dict[int, list[str]] = {}
        for entity_id_, number in communities.items():
            by_number.setdefault(int(number), []).append(entity_id_)
        with self._db.engine.begin() as conn:
            conn.execute(
                update(ENTITIES)
                .where(ENTITIES.c.kb_id == kb_id, ENTITIES.c.community.is_not(None))
                .values(community=None)
            )
            for number, ids in by_number.items():
                for batch in batches(ids):
                    conn.execute(
                        update(ENTITIES)
                        .where(ENTITIES.c.id.in_(batch), ENTITIES.c.kb_id == kb_id)
                        .values(community=number)
                    )

    # -- reads ---------------------------------------------------------------

    def neighbourhood(
        self, kb_id: str, entity_ids: Sequence[str], *, hops: int = 1, limit: int = 200
    ) -> Subgraph:
        if hops < 0:
            raise ValueError("hops must be 0 or more")
        if not entity_ids or limit <= 0:
            return Subgraph()
        with self._db.engine.connect() as conn:
            selected = walk(conn, kb_id, sorted(set(entity_ids)), hops, limit)
            by_id = {e.id: e for e in _entities(conn, [kb_id], ENTITIES.c.id, selected)}
            relations = relations_among(conn, kb_id, selected)
        return Subgraph(entities=[by_id[i] for i in selected if i in by_id], relations=relations)

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
        filters: list[ColumnElement[bool]] = [ENTITIES.c.kb_id.in_(list(kb_ids))]
        if types:
            filters.append(ENTITIES.c.type.in_(list(types)))
        if community is not None:
            filters.append(ENTITIES.c.community == community)
        pattern = _like_escape(key)
        with self._db.engine.connect() as conn:
            if not key:
                return _read_entities(conn, _ranked(filters, limit))
            prefix: list[ColumnElement[bool]] = [ENTITIES.c.key.like(f"{pattern}%", "\\")]
            if self._db.embedded:  # BINARY collation: a key range the (kb_id, key) index finds
                prefix += [ENTITIES.c.key >= key, ENTITIES.c.key < key + _LAST_CHAR]
            found = _read_entities(conn, _ranked([*filters, *prefix], limit))
            if len(found) < limit:
                contains = [
                    ENTITIES.c.key.like(f"%{pattern}%", "\\"),
                    ENTITIES.c.key.not_like(f"{pattern}%", "\\"),
                ]
                found += _read_entities(conn, _ranked([*filters, *contains], limit - len(found)))
        return found

    def entities_by_keys(self, kb_ids: Sequence[str], keys: Sequence[str]) -> list[Entity]:
        with self._db.engine.connect() as conn:
            found = _entities(conn, kb_ids, ENTITIES.c.key, keys)
        return sorted(found, key=lambda e: (e.key, e.kb_id))

    def get_entities(self, kb_ids: Sequence[str], entity_ids: Sequence[str]) -> list[Entity]:
        with self._db.engine.connect() as conn:
            by_id = {e.id: e for e in _entities(conn, kb_ids, ENTITIES.c.id, entity_ids)}
        return [by_id[i] for i in dict.fromkeys(entity_ids) if i in by_id]

    def mentions_of(
        self, kb_ids: Sequence[str], entity_ids: Sequence[str], *, limit: int = 200
    ) -> list[Mention]:
        return self._mentions(kb_ids, MENTIONS.c.entity_id, entity_ids, limit)

    def mentions_in_chunks(self, kb_ids: Sequence[str], chunk_ids: Sequence[str]) -> list[Mention]:
        return self._mentions(kb_ids, MENTIONS.c.chunk_id, chunk_ids, None)

    def relations_of(
        self, kb_ids: Sequence[str], entity_id: str, *, limit: int = 100
    ) -> list[Relation]:
        if not kb_ids or limit <= 0:
            return []
        query = (
            select(RELATIONS)
            .where(
                (RELATIONS.c.source_id == entity_id) | (RELATIONS.c.target_id == entity_id),
                _in_kbs(RELATIONS, kb_ids),
            )
            .order_by(RELATIONS.c.weight.desc(), RELATIONS.c.id)
            .limit(limit)
        )
        with self._db.engine.connect() as conn:
            return [Relation(**row._mapping) for row in conn.execute(query)]

    def weighted_edges(self, kb_id: str) -> list[tuple[str, str, float]]:
        """Undirected: each related pair once as (smaller id, larger id), weights summed over
        directions, types and documents."""
        query = (
            select(RELATIONS.c.source_id, RELATIONS.c.target_id, func.sum(RELATIONS.c.weight))
            .where(RELATIONS.c.kb_id == kb_id)
            .group_by(RELATIONS.c.source_id, RELATIONS.c.target_id)
        )
        with self._db.engine.connect() as conn:
            return gd.undirected((s, t, w) for s, t, w in conn.execute(query))

    def stats(self, kb_id: str) -> GraphStats:
        def count(table: Table) -> Select[Any]:
            return select(func.count()).select_from(table).where(table.c.kb_id == kb_id)

        communities = select(func.count(ENTITIES.c.community.distinct())).where(
            ENTITIES.c.kb_id == kb_id
        )
        with self._db.engine.connect() as conn:
            return GraphStats(
                entities=conn.execute(count(ENTITIES)).scalar_one(),
                relations=conn.execute(count(RELATIONS)).scalar_one(),
                mentions=conn.execute(count(MENTIONS)).scalar_one(),
                communities=conn.execute(communities).scalar_one(),
            )

    def health(self) -> None:
        with self._db.engine.connect() as conn:
            conn.execute(select(ENTITIES.c.id).limit(1))

    def close(self) -> None:
        """The database adapter owns the engine; nothing to release here."""

    def _mentions(
        self, kb_ids: Sequence[str], column: Any, values: Sequence[str], limit: int | None
    ) -> list[Mention]:
        if not kb_ids or not values or (limit is not None and limit <= 0):
            return []
        order = (MENTIONS.c.document_id, MENTIONS.c.chunk_id, MENTIONS.c.char_start, MENTIONS.c.id)
        found: list[Mention] = []
        with self._db.engine.connect() as conn:
            for batch in batches(sorted(set(values))):
                query = select(MENTIONS).where(column.in_(batch), _in_kbs(MENTIONS, kb_ids))
                query = query.order_by(*order).limit(limit)  # a hub has thousands
                found += [Mention(**row._mapping) for row in conn.execute(query)]
        found.sort(key=lambda m: (m.document_id, m.chunk_id, m.char_start, m.id))
        return found if limit is None else found[:limit]


# -- replace_document ------------------------------------------------------------


def _drop_document(conn: Connection, kb_id: str, document_id: str) -> set[str]:
    """Delete the document's relations and mentions; the entities they touched.

    A write comes first so SQLite takes its write lock (waiting its busy timeout) before the
    transaction reads anything: a read first, then another writer's commit, and the upgrade
    to writing would fail at once."""
    touched: set[str] = set()
    for table, ends in ((RELATIONS, ("source_id", "target_id")), (MENTIONS, ("entity_id",))):
        # Found through the document_id index; kb_id is compared as an expression so the
        # planner cannot prefer the far less selective kb_id index.
        where = (table.c.document_id == document_id, table.c.kb_id.concat("") == kb_id)
        statement = delete(table).where(*where).returning(*(table.c[end] for end in ends))
        for row in conn.execute(statement):
            touched.update(row)
    return touched


def _lock_kb(conn: Connection, kb_id: str) -> None:
    """PostgreSQL: one writer of a KB's graph at a time, until the transaction ends. Two
    documents' transactions writing at once would each recount shared entities without the
    other's uncommitted mentions, and locking the entities themselves deadlocks when both
    add the same new keys. SQLite has one writer per database already."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(
            hashlib.sha1(f"graph\0{kb_id}".encode()).digest()[:8], "big", signed=True
        )
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _merge_entities(
    conn: Connection, kb_id: str, drafts: Mapping[str, EntityDraft]
) -> dict[str, str]:
    """Insert new entities and update changed ones; the id of every key."""
    stored = {
        row.key: row
        for batch in batches(sorted(drafts))
        for row in _entity_rows(conn, ENTITIES.c.kb_id == kb_id, ENTITIES.c.key.in_(batch))
    }
    ids: dict[str, str] = {}
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for key, draft in sorted(drafts.items()):
        row = stored.get(key)
        values = gd.merged_entity(_stored(row), draft)
        if row is None:
            ids[key] = gd.entity_id(kb_id, key)
            new.append(_new_entity(kb_id, ids[key], values | {"key": key}))
            continue
        ids[key] = row.id
        if values != {name: getattr(row, name) for name in values}:
            changed.append({"_id": row.id, **values})
    if new:
        conn.execute(insert(ENTITIES), new)
    if changed:
        statement = (
            update(ENTITIES)
            .where(ENTITIES.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in ("name", "type", "description", "aliases")})
        )
        conn.execute(statement, changed)
    return ids


def _insert_rows(
    conn: Connection, kb_id: str, document_id: str, rows: gd.DocumentRows, ids: dict[str, str]
) -> None:
    common = {"kb_id": kb_id, "document_id": document_id}
    mentions = [
        common
        | {
            "id": m.id,
            "entity_id": ids[m.key],
            "chunk_id": m.chunk_id,
            "char_start": m.char_start,
            "char_end": m.char_end,
        }
        for m in rows.mentions
    ]
    relations = [
        common
        | {
            "id": r.id,
            "source_id": ids[r.source_key],
            "target_id": ids[r.target_key],
            "type": r.type,
            "weight": r.weight,
            "evidence": r.evidence,
            "chunk_id": r.chunk_id,
        }
        for r in rows.relations
    ]
    if mentions:
        conn.execute(insert(MENTIONS), mentions)
    if relations:
        conn.execute(insert(RELATIONS), relations)


def _recount_mentions(conn: Connection, entity_ids: Iterable[str]) -> None:
    counted = (
        select(func.count())
        .select_from(MENTIONS)
        .where(MENTIONS.c.entity_id == ENTITIES.c.id)
        .scalar_subquery()
    )
    for batch in batches(sorted(set(entity_ids))):
        conn.execute(update(ENTITIES).where(ENTITIES.c.id.in_(batch)).values(mention_count=counted))


def _delete_orphans(conn: Connection, kb_id: str, entity_ids: Iterable[str]) -> None:
    related = select(RELATIONS.c.id).where(
        (RELATIONS.c.source_id == ENTITIES.c.id) | (RELATIONS.c.target_id == ENTITIES.c.id)
    )
    for batch in batches(sorted(set(entity_ids))):
        conn.execute(
            delete(ENTITIES).where(
                ENTITIES.c.kb_id == kb_id,
                ENTITIES.c.id.in_(batch),
                ENTITIES.c.mention_count == 0,
                ~related.exists(),
            )
        )


# -- rows and checks -------------------------------------------------------------


def _new_entity(kb_id: str, entity_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"id": entity_id, "kb_id": kb_id, "community": None, "mention_count": 0} | values


def _stored(row: Row[Any] | None) -> dict[str, Any] | None:
    return None if row is None else dict(row._mapping)


def _entity_rows(conn: Connection, *where: ColumnElement[bool]) -> list[Row[Any]]:
    return list(conn.execute(select(ENTITIES).where(*where)))


def _entity(row: Row[Any]) -> Entity:
    values = dict(row._mapping)
    return Entity(
        id=values["id"],
        kb_id=values["kb_id"],
        key=values["key"],
        name=values["name"],
        type=values["type"],
        description=values["description"],
        aliases=tuple(values["aliases"] or ()),
        community=values["community"],
        mentions=values["mention_count"],
    )


def _read_entities(conn: Connection, query: Select[Any]) -> list[Entity]:
    return [_entity(row) for row in conn.execute(query)]


def _entities(
    conn: Connection, kb_ids: Sequence[str], column: Any, values: Iterable[str]
) -> list[Entity]:
    if not kb_ids:
        return []
    found: list[Entity] = []
    for batch in batches(sorted(set(values))):
        query = select(ENTITIES).where(column.in_(batch), ENTITIES.c.kb_id.in_(list(kb_ids)))
        found += _read_entities(conn, query)
    return found


def _ranked(filters: list[ColumnElement[bool]], limit: int) -> Select[Any]:
    order = (ENTITIES.c.mention_count.desc(), ENTITIES.c.key, ENTITIES.c.kb_id)
    return select(ENTITIES).where(*filters).order_by(*order).limit(limit)


def _in_kbs(table: Table, kb_ids: Sequence[str]) -> ColumnElement[bool]:
    """kb_id compared as an expression no index matches, so the planner finds the rows through
    the more selective index of the other condition (entity, chunk), not the whole KB's."""
    return table.c.kb_id.concat("").in_(list(kb_ids))


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_owner(conn: Connection, table: Table, kind: str, row_id: str, kb_id: str) -> None:
    owner = conn.execute(select(table.c.kb_id).where(table.c.id == row_id)).scalar_one_or_none()
    if owner is not None and owner != kb_id:
        raise ValueError(f"{kind} id {row_id!r} already belongs to another knowledge base")


def _require_entities(conn: Connection, kb_id: str, entity_ids: set[str]) -> None:
    query = select(ENTITIES.c.id).where(
        ENTITIES.c.kb_id == kb_id, ENTITIES.c.id.in_(sorted(entity_ids))
    )
    missing = entity_ids - set(conn.execute(query).scalars())
    if missing:
        raise ValueError(f"unknown entities in knowledge base {kb_id!r}: {sorted(missing)}")
