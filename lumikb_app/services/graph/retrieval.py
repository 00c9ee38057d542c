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
from collections.abc import Sequence
from dataclasses import dataclass, field

from lumikb_app.container import get_container
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.ports.graph import Entity
from lumikb_app.services.retrieval.terms import STOP_WORDS, words

MAX_NGRAM = 4
MAX_KEYS = 200
MAX_SEEDS = 8  # the most specific linked entities the walk starts from
NEIGHBOURS_PER_SEED = 12  # its strongest relations
MENTION_BUDGET = 1500  # mentions read per question: the most specific entities' first
NEIGHBOUR_WEIGHT = 0.35
MIN_ENTITIES = 2  # a chunk joins only when it names two things the question reaches
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
    mentions: int


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
    linked = [e for e in graph.entities_by_keys(kb_ids, query_keys(query)) if _named(query, e)]
    if not linked:
        return []
    linked = sorted(_most_specific(linked), key=lambda e: (e.mentions, e.id))[:MAX_SEEDS]
    reach = {e.id: _Reach(_specificity(e), e.name, e.mentions) for e in linked}
    for entity, seed in _neighbours(kb_ids, linked):
        if entity.id not in reach:
            weight, via = NEIGHBOUR_WEIGHT * _specificity(entity), f"{seed} → {entity.name}"
            reach[entity.id] = _Reach(weight, via, entity.mentions)
    chunks: dict[str, _ChunkScore] = {}
    for mention in graph.mentions_of(kb_ids, _within_budget(reach), limit=MENTION_BUDGET):
        entry = chunks.setdefault(mention.chunk_id, _ChunkScore(mention.document_id))
        entry.entities[mention.entity_id] = reach[mention.entity_id]
    bridging = [(i, c) for i, c in chunks.items() if len(c.entities) >= MIN_ENTITIES]
    ranked = sorted(bridging, key=lambda item: (-item[1].score, item[0]))[:limit]
    return [GraphHit(chunk_id, c.document_id, c.score, c.via) for chunk_id, c in ranked]


def _named(query: str, entity: Entity) -> bool:
    """A one-word name or acronym links only as written ("FILE" is not "file", "Package" not
    "package"): in lower case it is an ordinary word of the question."""
    if " " in entity.key or entity.type in ("pep", "code") or entity.name.islower():
        return True
    return any(
        re.search(rf"\b{re.escape(name)}\b", query) for name in (entity.name, *entity.aliases)
    )


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


def _within_budget(reach: dict[str, _Reach]) -> list[str]:
    """Entity ids, most specific first, while their mentions fit the budget: a hub named in
    thousands of chunks says little about any one of them, and reading it would cost the most."""
    chosen: list[str] = []
    spent = 0
    for entity_id in sorted(reach, key=lambda i: -reach[i].weight):
        if spent + reach[entity_id].mentions > MENTION_BUDGET:
            continue
        spent += reach[entity_id].mentions
        chosen.append(entity_id)
    return chosen


def _neighbours(kb_ids: Sequence[str], linked: list[Entity]) -> list[tuple[Entity, str]]:
    """Each seed's strongest related entities, with the seed's name (for "via")."""
    graph = get_container().graph
    seed_of: dict[str, str] = {}
    seeds = {e.id for e in linked}
    for seed in linked:
        for relation in graph.relations_of([seed.kb_id], seed.id, limit=NEIGHBOURS_PER_SEED):
            other = relation.target_id if relation.source_id == seed.id else relation.source_id
            if other not in seeds:
                seed_of.setdefault(other, seed.name)
    found = graph.get_entities(kb_ids, list(seed_of))
    return [(e, seed_of[e.id]) for e in found]
