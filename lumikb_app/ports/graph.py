"""Graph store port: entities, relations and their mentions in chunks, per KB."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Entity:
    id: str
    kb_id: str
    key: str  # normalized name; entities merge on (kb_id, key)
    name: str
    type: str = ""
    description: str = ""


@dataclass(frozen=True)
class Relation:
    id: str
    kb_id: str
    source_id: str
    target_id: str
    type: str
    document_id: str
    weight: float = 1.0


@dataclass(frozen=True)
class Mention:
    id: str
    kb_id: str
    entity_id: str
    document_id: str
    chunk_id: str


@dataclass
class Subgraph:
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


class GraphStore(Protocol):
    embedded: bool

    def upsert_entity(self, entity: Entity) -> None: ...

    def upsert_relation(self, relation: Relation) -> None: ...

    def upsert_mention(self, mention: Mention) -> None: ...

    def delete_document(self, kb_id: str, document_id: str) -> None:
        """Remove the document's relations and mentions, then entities nothing mentions."""

    def neighbourhood(
        self, kb_id: str, entity_ids: Sequence[str], *, hops: int = 1, limit: int = 200
    ) -> Subgraph:
        """Entities within `hops` relations of the seeds (seeds included) and the relations among them."""

    def health(self) -> None: ...

    def close(self) -> None: ...
