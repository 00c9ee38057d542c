"""One document's chunk extractions become its contribution to the KB's graph.

Entities merge on their key: the name is the surface form seen most (ties: the first seen),
the others are kept as aliases, the type is the most common non-empty one and the description
the longest. Relations merge on (source, target, type), their weights add up and the first
evidence sentence stays. A relation needs both ends among the entities, and never loops.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from lumikb_app.domain.graph import (
    ChunkExtraction,
    DocumentGraph,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)

MAX_ALIASES = 20


@dataclass
class _EntityVotes:
    names: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    description: str = ""


def document_graph(extractions: Iterable[ChunkExtraction]) -> DocumentGraph:
    votes: dict[str, _EntityVotes] = defaultdict(_EntityVotes)
    mentions: dict[tuple[str, str, int], MentionDraft] = {}
    relations: dict[tuple[str, str, str], RelationDraft] = {}
    for extraction in extractions:
        if extraction.error:
            continue
        for entity in extraction.entities:
            _vote(votes[entity.key], entity)
        for mention in extraction.mentions:
            mentions.setdefault((mention.key, mention.chunk_id, mention.char_start), mention)
        for relation in extraction.relations:
            _add_relation(relations, relation)
    entities = [_entity(key, vote) for key, vote in votes.items() if key]
    keys = {entity.key for entity in entities}
    return DocumentGraph(
        entities=entities,
        mentions=[m for m in mentions.values() if m.key in keys],
        relations=[r for r in relations.values() if r.source_key in keys and r.target_key in keys],
    )


def _vote(vote: _EntityVotes, entity: EntityDraft) -> None:
    vote.names[entity.name] += 1
    for alias in entity.aliases:
        vote.names[alias] += 0  # known, never preferred over a name really used
    if entity.type:
        vote.types[entity.type] += 1
    if len(entity.description) > len(vote.description):
        vote.description = entity.description


def _entity(key: str, vote: _EntityVotes) -> EntityDraft:
    ranked = [name for name, _ in vote.names.most_common()]
    type_ = vote.types.most_common(1)[0][0] if vote.types else ""
    aliases = tuple(name for name in ranked[1:] if name != ranked[0])[:MAX_ALIASES]
    return EntityDraft(key, ranked[0], type_, vote.description, aliases)


def _add_relation(
    relations: dict[tuple[str, str, str], RelationDraft], relation: RelationDraft
) -> None:
    if relation.source_key == relation.target_key:
        return
    slot = (relation.source_key, relation.target_key, relation.type)
    seen = relations.get(slot)
    if seen is None:
        relations[slot] = relation
        return
    relations[slot] = RelationDraft(
        seen.source_key,
        seen.target_key,
        seen.type,
        seen.chunk_id,
        seen.evidence or relation.evidence,
        seen.weight + relation.weight,
    )
