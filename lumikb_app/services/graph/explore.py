"""Exploring one KB's knowledge graph: what the graph page and the REST routes show.

Every use case checks that the caller may READ the KB (an unknown KB and a forbidden one get the
same refusal) and bounds its inputs before anything is read. The graph store is asked about that
one KB only, and never while a unit of work is open (it may be a server). The page loads the
most mentioned entities first (`overview`) and each neighbourhood on demand (`neighbours`),
never the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, GraphCommunity, KnowledgeBase, User
from lumikb_app.domain.enums import DocumentStatus, KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.text import text_problem
from lumikb_app.ports.graph import Entity, Mention, Relation
from lumikb_app.services.accounts.access import require
from lumikb_app.services.platform.transactions import read_session

MAX_QUERY_CHARS = 200
MAX_ID_CHARS = 64
MAX_OVERVIEW = 500
MAX_SEARCH = 50
MAX_NEIGHBOURS = 200
MAX_HOPS = 2
MAX_TYPES = 20
MAX_RELATIONS = 100
MAX_PASSAGES = 30
MAX_MENTIONS = 400  # mentions read to find the passages (many may share a chunk)
EDGES_PER_NODE = 4  # lines drawn at most, per entity drawn
TYPE_SAMPLE = 1000  # entity types offered as filters come from this many most mentioned ones
SNIPPET_CONTEXT = 140  # characters either side of a mention in a passage's snippet
ENTITY_NOT_FOUND = "This entity is not in the knowledge base's graph."


class GraphInputError(ValueError):
    """A query, limit or filter that is not acceptable; the message is meant for a person."""


class EntityNotFound(LookupError):
    """The entity is not (or no longer) in this KB's graph."""


@dataclass(frozen=True)
class GraphNode:
    id: str
    name: str
    type: str
    community: int | None
    mentions: int


@dataclass(frozen=True)
class GraphEdge:
    """Every relation between one pair of entities, drawn as one line."""

    source: str
    target: str
    type: str  # the heaviest relation's type
    weight: float  # summed over the pair's relations


@dataclass(frozen=True)
class CommunityInfo:
    number: int
    title: str
    summary: str
    size: int


@dataclass(frozen=True)
class GraphView:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


@dataclass(frozen=True)
class GraphOverview(GraphView):
    kb_id: str
    kb_name: str
    graph_mode: str  # the KB's setting: off | fast | llm
    entity_count: int
    relation_count: int
    communities: tuple[CommunityInfo, ...]
    types: tuple[str, ...]  # entity types present (of the most mentioned entities)


@dataclass(frozen=True)
class EntityRelation:
    type: str
    other_id: str
    other_name: str
    outgoing: bool  # this entity is the relation's source
    evidence: str  # the sentence of the heaviest of them
    weight: float  # summed
    count: int = 1  # relations of this type between the two (one per document, or chunk)


@dataclass(frozen=True)
class EntityPassage:
    """A passage of a current, ready document that mentions the entity."""

    chunk_id: str
    document_id: str  # the document's stable id
    document_name: str
    version: int
    page: int | None
    before: str  # the snippet: before + mention + after
    mention: str
    after: str
    href: str  # the viewer at this passage


@dataclass(frozen=True)
class EntityDetail:
    node: GraphNode
    description: str
    aliases: tuple[str, ...]
    community: CommunityInfo | None
    relations: tuple[EntityRelation, ...]
    passages: tuple[EntityPassage, ...]


# -- use cases ---------------------------------------------------------------------------------


def overview(
    user: User,
    kb_id: str,
    *,
    limit: int = 150,
    types: Sequence[str] = (),
    community: int | None = None,
) -> GraphOverview:
    """The most mentioned entities (of these types / this community) and the relations among
    them, with the KB's communities and the entity types present: the page's first paint."""
    _bounded(limit, MAX_OVERVIEW, "limit")
    wanted_types = _types(types)
    with read_session() as session:
        kb = _readable(session, user, kb_id)
        kb_name, mode = kb.name, KbSettings.model_validate(kb.settings).graph_mode
        communities = _communities(session, kb.id)
    store = get_container().graph
    top = store.find_entities([kb.id], "", limit=limit, types=wanted_types, community=community)
    sample = store.find_entities([kb.id], "", limit=TYPE_SAMPLE)
    among = store.neighbourhood(kb.id, [e.id for e in top], hops=0, limit=len(top)) if top else None
    stats = store.stats(kb.id)
    return GraphOverview(
        nodes=tuple(_node(e) for e in top),
        edges=_edges(among.relations if among else [], {e.id for e in top}),
        kb_id=kb.id,
        kb_name=kb_name,
        graph_mode=mode,
        entity_count=stats.entities,
        relation_count=stats.relations,
        communities=communities,
        types=tuple(sorted({e.type for e in sample if e.type})),
    )


def search_entities(user: User, kb_id: str, q: str, *, limit: int = 20) -> list[GraphNode]:
    """Entities whose name starts with (or else contains) `q`, most mentioned first."""
    _bounded(limit, MAX_SEARCH, "limit")
    text = _query(q)
    with read_session() as session:
        kb = _readable(session, user, kb_id)
    return [_node(e) for e in get_container().graph.find_entities([kb.id], text, limit=limit)]


def neighbours(
    user: User, kb_id: str, entity_id: str, *, hops: int = 1, limit: int = 60
) -> GraphView:
    """The entity, the entities within `hops` relations of it (nearest first, at most `limit`)
    and the relations among them."""
    _bounded(hops, MAX_HOPS, "hops")
    _bounded(limit, MAX_NEIGHBOURS, "limit")
    with read_session() as session:
        kb = _readable(session, user, kb_id)
    seed = _id(entity_id)
    found = get_container().graph.neighbourhood(kb.id, [seed], hops=hops, limit=limit)
    if not any(e.id == seed for e in found.entities):
        raise EntityNotFound(ENTITY_NOT_FOUND)
    ids = {e.id for e in found.entities}
    return GraphView(
        nodes=tuple(_node(e) for e in found.entities), edges=_edges(found.relations, ids)
    )


def entity_detail(user: User, kb_id: str, entity_id: str) -> EntityDetail:
    """The entity with its aliases, description, community, relations (with the other end's
    name and the sentence that states each) and the passages of current documents that mention
    it, each linking to the viewer."""
    with read_session() as session:
        kb = _readable(session, user, kb_id)
    store, kb_ids = get_container().graph, [kb.id]
    entity = next(iter(store.get_entities(kb_ids, [_id(entity_id)])), None)
    if entity is None:
        raise EntityNotFound(ENTITY_NOT_FOUND)
    relations = store.relations_of(kb_ids, entity.id, limit=MAX_RELATIONS)
    others = {e.id: e for e in store.get_entities(kb_ids, _other_ids(entity.id, relations))}
    mentions = store.mentions_of(kb_ids, [entity.id], limit=MAX_MENTIONS)
    with read_session() as session:
        passages = _passages(session, kb.id, mentions)
        community = _community(session, kb.id, entity.community)
    return EntityDetail(
        node=_node(entity),
        description=entity.description,
        aliases=tuple(a for a in entity.aliases if a != entity.name),
        community=community,
        relations=_relations(entity.id, relations, others),
        passages=passages,
    )


# -- checks ------------------------------------------------------------------------------------


def _readable(session: Session, user: User, kb_id: str) -> KnowledgeBase:
    kb_id = _id(kb_id)
    require(session, user, kb_id, KbRole.READ)
    return session.get_one(KnowledgeBase, kb_id)


def _bounded(value: int, most: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise GraphInputError(f"{name} must be a whole number from 1 to {most}.")


def _query(q: str) -> str:
    text = " ".join(str(q).split())
    if len(text) > MAX_QUERY_CHARS:
        raise GraphInputError(f"Search for at most {MAX_QUERY_CHARS} characters.")
    if problem := text_problem(text):
        raise GraphInputError(problem)
    return text


def _types(types: Sequence[str]) -> list[str]:
    if len(types) > MAX_TYPES or any(len(str(t)) > MAX_ID_CHARS for t in types):
        raise GraphInputError(f"Filter by at most {MAX_TYPES} entity types.")
    return [str(t) for t in types if str(t)]


def _id(entity_id: str) -> str:
    """An id to look up; one that cannot be stored cannot name an entity either."""
    entity_id = str(entity_id)[:MAX_ID_CHARS]
    return "" if text_problem(entity_id) else entity_id


# -- shapes ------------------------------------------------------------------------------------


def _node(entity: Entity) -> GraphNode:
    return GraphNode(entity.id, entity.name, entity.type, entity.community, entity.mentions)


def _edges(relations: Iterable[Relation], ids: set[str]) -> tuple[GraphEdge, ...]:
    """One edge per related pair (either direction) among `ids`, typed by its heaviest
    relation; the heaviest EDGES_PER_NODE x len(ids) pairs only (hubs of a large KB relate to
    almost every other drawn entity: thousands of lines that hide the structure)."""
    pairs: dict[tuple[str, str], list[Relation]] = {}
    for relation in relations:
        source, target = relation.source_id, relation.target_id
        if source in ids and target in ids and source != target:
            key = (source, target) if source < target else (target, source)
            pairs.setdefault(key, []).append(relation)
    edges = []
    for (source, target), found in sorted(pairs.items()):
        heaviest = max(found, key=lambda r: (r.weight, r.type))
        edges.append(GraphEdge(source, target, heaviest.type, sum(r.weight for r in found)))
    kept = sorted(edges, key=lambda e: -e.weight)[: EDGES_PER_NODE * len(ids)]
    return tuple(sorted(kept, key=lambda e: (e.source, e.target)))


def _other(entity_id: str, relation: Relation) -> str:
    return relation.target_id if relation.source_id == entity_id else relation.source_id


def _other_ids(entity_id: str, relations: Iterable[Relation]) -> list[str]:
    return sorted({_other(entity_id, r) for r in relations})


def _relations(
    entity_id: str, relations: list[Relation], others: dict[str, Entity]
) -> tuple[EntityRelation, ...]:
    """One row per other entity, type and direction (the store has one relation per document
    or chunk that states it), heaviest first, with the heaviest one's sentence."""
    groups: dict[tuple[str, str, bool], list[Relation]] = {}
    for relation in relations:
        other = _other(entity_id, relation)
        if other in others:
            key = (other, relation.type, relation.source_id == entity_id)
            groups.setdefault(key, []).append(relation)
    rows = []
    for (other, kind, outgoing), found in groups.items():
        heaviest = max(found, key=lambda r: (r.weight, bool(r.evidence)))
        rows.append(
            EntityRelation(
                type=kind,
                other_id=other,
                other_name=others[other].name,
                outgoing=outgoing,
                evidence=heaviest.evidence,
                weight=sum(r.weight for r in found),
                count=len(found),
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.weight, r.other_name)))


def _communities(session: Session, kb_id: str) -> tuple[CommunityInfo, ...]:
    rows = session.exec(
        select(GraphCommunity)
        .where(GraphCommunity.kb_id == kb_id)
        .order_by(col(GraphCommunity.size).desc(), col(GraphCommunity.number))
    )
    return tuple(CommunityInfo(r.number, r.title, r.summary, r.size) for r in rows)


def _community(session: Session, kb_id: str, number: int | None) -> CommunityInfo | None:
    if number is None:
        return None
    row = session.get(GraphCommunity, (kb_id, number))
    return CommunityInfo(row.number, row.title, row.summary, row.size) if row else None


def _passages(session: Session, kb_id: str, mentions: list[Mention]) -> tuple[EntityPassage, ...]:
    """One passage per chunk (its first mention marked), of ready current versions only."""
    first: dict[str, Mention] = {}
    for mention in mentions:
        first.setdefault(mention.chunk_id, mention)
    if not first:
        return ()
    rows = session.exec(
        select(Chunk, Document)
        .join(Document, col(Document.id) == Chunk.document_id)
        .where(
            col(Chunk.id).in_(list(first)),
            Chunk.kb_id == kb_id,
            Document.kb_id == kb_id,
            Document.status == DocumentStatus.ready.value,
        )
    ).all()
    found = {chunk.id: (chunk, doc) for chunk, doc in rows}
    ordered = [found[m.chunk_id] + (m,) for m in first.values() if m.chunk_id in found]
    return tuple(_passage(chunk, doc, m) for chunk, doc, m in ordered[:MAX_PASSAGES])


def _passage(chunk: Chunk, doc: Document, mention: Mention) -> EntityPassage:
    text = chunk.text
    start = min(max(mention.char_start, 0), len(text))
    end = min(max(mention.char_end, start), len(text))
    left, right = max(start - SNIPPET_CONTEXT, 0), min(end + SNIPPET_CONTEXT, len(text))
    before = ("…" if left else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    stable_id = doc.stable_id or doc.id
    page = "" if chunk.page_start is None else chunk.page_start
    return EntityPassage(
        chunk_id=chunk.id,
        document_id=stable_id,
        document_name=doc.name,
        version=doc.version,
        page=chunk.page_start,
        before=before,
        mention=text[start:end],
        after=after,
        href=f"/view/{stable_id}?chunk={chunk.id}&page={page}&version={doc.version}",
    )
