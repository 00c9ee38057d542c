"""The graph leg of search: passages that mention what the question is about, and what that
is related to.

1. Link: every 1–4 word run of the question's words (and any PEP number) is normalized like an
   entity name (`entity_key`) and looked up by key in the KBs being searched.
2. Walk: the linked entities' neighbours, one hop, a fixed number per KB (the strongest by
   mentions), so a hub cannot flood the result.
3. Gather: the chunks that mention linked or neighbouring entities. A chunk scores for each
   distinct entity it mentions, weighted by how specific the entity is (rare beats common),
   linked entities counting more than neighbours: a passage that names two things the
   question asks about beats one that names one of them many times.

Every store read is given only the KB ids the caller may read (search passes them).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from lumikb_app.container import get_container
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.ports.graph import Entity
from lumikb_app.services.retrieval.terms import STOP_WORDS, words

MAX_NGRAM = 4
MAX_KEYS = 200
NEIGHBOURS_PER_KB = 24
MENTIONS_LIMIT = 600
NEIGHBOUR_WEIGHT = 0.35
_PEP = re.compile(r"\bpep[\s-]*0*(\d{1,5})\b", re.IGNORECASE)


@dataclass(frozen=True)
class GraphHit:
    chunk_id: str
    document_id: str
    score: float
    via: str  # why it came: "PEP 484" or "PEP 484 → TypeVar"


@dataclass
class _Reach:
    weight: float
    via: str


@dataclass
class _ChunkScore:
    document_id: str
    entities: dict[str, _Reach] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(reach.weight for reach in self.entities.values())

    @property
    def via(self) -> str:
        best = sorted(self.entities.values(), key=lambda r: -r.weight)[:2]
        return "; ".join(reach.via for reach in best)


def query_keys(query: str) -> list[str]:
    """Candidate entity keys of the question: its word runs (not only stop words) and PEPs."""
    tokens = words(query)
    keys: dict[str, None] = {f"pep {int(n)}": None for n in _PEP.findall(query)}
    for size in range(MAX_NGRAM, 0, -1):
        for start in range(len(tokens) - size + 1):
            run = tokens[start : start + size]
            if run[0] in STOP_WORDS or run[-1] in STOP_WORDS:
                continue
            key = entity_key(" ".join(run))
            if key and (size > 1 or len(key) > 2):
                keys.setdefault(key, None)
    return list(keys)[:MAX_KEYS]


def search(query: str, kb_ids: Sequence[str], *, limit: int = 50) -> list[GraphHit]:
    """The best `limit` chunks the graph reaches from the question, best first."""
    if not kb_ids:
        return []
    graph = get_container().graph
    linked = graph.entities_by_keys(kb_ids, query_keys(query))
    if not linked:
        return []
    linked = _most_specific(linked)
    reach = {e.id: _Reach(_specificity(e), e.name) for e in linked}
    for entity, seed in _neighbours(linked):
        if entity.id not in reach:
            reach[entity.id] = _Reach(
                NEIGHBOUR_WEIGHT * _specificity(entity), f"{seed} → {entity.name}"
            )
    chunks: dict[str, _ChunkScore] = {}
    for mention in graph.mentions_of(kb_ids, list(reach), limit=MENTIONS_LIMIT):
        entry = chunks.setdefault(mention.chunk_id, _ChunkScore(mention.document_id))
        entry.entities[mention.entity_id] = reach[mention.entity_id]
    ranked = sorted(chunks.items(), key=lambda item: (-item[1].score, item[0]))[:limit]
    return [GraphHit(chunk_id, c.document_id, c.score, c.via) for chunk_id, c in ranked]


def _most_specific(linked: list[Entity]) -> list[Entity]:
    """A longer key inside the question hides the shorter keys it contains ("type hint"
    hides "type"), so the walk starts from what the question names most precisely."""
    keys = {e.key for e in linked}
    return [
        e
        for e in linked
        if not any(other != e.key and f" {e.key} " in f" {other} " for other in keys)
    ]


def _specificity(entity: Entity) -> float:
    return 1.0 / math.log2(2 + max(entity.mentions, 0))


def _neighbours(linked: list[Entity]) -> list[tuple[Entity, str]]:
    graph = get_container().graph
    by_kb: dict[str, list[Entity]] = defaultdict(list)
    for entity in linked:
        by_kb[entity.kb_id].append(entity)
    found: list[tuple[Entity, str]] = []
    for kb_id, seeds in by_kb.items():
        names = {e.id: e.name for e in seeds}
        sub = graph.neighbourhood(
            kb_id, list(names), hops=1, limit=len(names) + 4 * NEIGHBOURS_PER_KB
        )
        seed_of: dict[str, str] = {}  # strongest relation first
        for relation in sorted(sub.relations, key=lambda r: (-r.weight, r.id)):
            ends = (
                (relation.source_id, relation.target_id),
                (relation.target_id, relation.source_id),
            )
            for a, b in ends:
                if a in names and b not in names:
                    seed_of.setdefault(b, names[a])
        entities = {e.id: e for e in sub.entities}
        strongest = [b for b in seed_of if b in entities][:NEIGHBOURS_PER_KB]
        found.extend((entities[b], seed_of[b]) for b in strongest)
    return found
