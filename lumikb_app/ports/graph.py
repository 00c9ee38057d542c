"""Graph store port: entities, relations and their mentions in chunks, per KB.

Every read names the KB (or KBs) it may look in, and the store filters by them inside the
query: the service passes only KBs the user may read. Entities are per KB: the same key in two
KBs is two entities.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from lumikb_app.domain.graph import DocumentGraph


@dataclass(frozen=True)
class Entity:
    id: str
    kb_id: str
    key: str  # normalized name; entities merge on (kb_id, key)
    name: str
    type: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()  # other surface forms seen for this key
    community: int | None = None
    mentions: int = 0  # how many mentions point at it (kept current by the store)


@dataclass(frozen=True)
class Relation:
    id: str
    kb_id: str
    source_id: str
    target_id: str
    type: str
    document_id: str
    weight: float = 1.0
    evidence: str = ""  # a sentence that states it
    chunk_id: str = ""  # the chunk that sentence is in


@dataclass(frozen=True)
class Mention:
    id: str
    kb_id: str
    entity_id: str
    document_id: str
    chunk_id: str
    char_start: int = 0  # offsets into the chunk's text
    char_end: int = 0


@dataclass
class Subgraph:
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


@dataclass(frozen=True)
class GraphStats:
    entities: int = 0
    relations: int = 0
    mentions: int = 0
    communities: int = 0  # distinct community numbers on the KB's entities


class GraphStore(Protocol):
    embedded: bool

    def upsert_entity(self, entity: Entity) -> None: ...

    def upsert_relation(self, relation: Relation) -> None: ...

    def upsert_mention(self, mention: Mention) -> None: ...

    def replace_document(self, kb_id: str, document_id: str, graph: DocumentGraph) -> None:
        """Make the document's contribution exactly `graph` (idempotent, so a retry is safe):
        drop its old relations and mentions, merge its entities by key (aliases united, a
        non-empty type or description kept), add its mentions and relations, and delete the
        entities left with neither. Ids are deterministic. A mention or relation naming a key
        `graph.entities` does not declare is a ValueError and nothing is written; repeated
        relations of one (source, target, type) fold into one with their weights summed, and
        relations from an entity to itself are dropped."""

    def delete_document(self, kb_id: str, document_id: str) -> None:
        """Remove the document's relations and mentions, then entities nothing mentions."""

    def neighbourhood(
        self, kb_id: str, entity_ids: Sequence[str], *, hops: int = 1, limit: int = 200
    ) -> Subgraph:
        """Entities within `hops` relations of the seeds (seeds included) and the relations among
        them. Nearest first, ties by id, at most `limit`: the walk stops at the hop that fills
        the limit, so a hub next to a seed costs one hop, not its neighbours' neighbours.
        Relations come one per (source, target, type): the weight summed over documents, the
        id, document, evidence and chunk of its heaviest row (ties by id)."""

    def find_entities(
        self,
        kb_ids: Sequence[str],
        text: str,
        *,
        limit: int = 20,
        types: Sequence[str] = (),
        community: int | None = None,
    ) -> list[Entity]:
        """Entities whose key starts with the normalized `text`, then (up to `limit`) those
        whose key only contains it; each group most mentioned first, then by key. Empty
        `text` gives the most mentioned; text with nothing left once normalized, nothing."""

    def entities_by_keys(self, kb_ids: Sequence[str], keys: Sequence[str]) -> list[Entity]:
        """The entities with exactly these keys, in the given KBs."""

    def get_entities(self, kb_ids: Sequence[str], entity_ids: Sequence[str]) -> list[Entity]:
        """These entities, if they belong to the given KBs (others are silently left out)."""

    def mentions_of(
        self, kb_ids: Sequence[str], entity_ids: Sequence[str], *, limit: int = 200
    ) -> list[Mention]:
        """Mentions of the entities in the given KBs, by document then chunk then offset."""

    def mentions_in_chunks(self, kb_ids: Sequence[str], chunk_ids: Sequence[str]) -> list[Mention]:
        """Every mention inside these chunks (to highlight them, or say why a chunk came)."""

    def relations_of(
        self, kb_ids: Sequence[str], entity_id: str, *, limit: int = 100
    ) -> list[Relation]:
        """Relations touching the entity, heaviest first."""

    def weighted_edges(self, kb_id: str) -> list[tuple[str, str, float]]:
        """(smaller id, larger id, summed weight) for every related pair of the KB: undirected,
        summed over directions, types and documents, no self-pairs."""

    def set_communities(self, kb_id: str, communities: Mapping[str, int]) -> None:
        """Assign community numbers by entity id; every other entity of the KB gets none."""

    def stats(self, kb_id: str) -> GraphStats: ...

    def health(self) -> None: ...

    def close(self) -> None: ...
