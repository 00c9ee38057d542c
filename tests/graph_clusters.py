"""A small crafted graph for community tests: two clusters of four entities, tied by one weak
relation; each entity mentioned as often as its dict says (titles follow mentions)."""

from __future__ import annotations

from lumikb_app.domain.graph import DocumentGraph, EntityDraft, MentionDraft, RelationDraft
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.ports.graph import GraphStore

TYPING = {"PEP 484": 5, "TypeVar": 4, "typing": 3, "type hints": 2}  # name: mentions
ASYNC = {"asyncio": 6, "PEP 3156": 3, "event loop": 2, "coroutine": 1}


def cluster(document: str, names: dict[str, int], weight: float = 3.0) -> DocumentGraph:
    """Every pair related (the heaviest: the first two), each name mentioned as often as given."""
    chunk = f"{document}-chunk"
    keys = [entity_key(n) for n in names]
    mentions = [
        MentionDraft(entity_key(name), chunk, 10 * i, 10 * i + 5)
        for name, count in names.items()
        for i in range(count)
    ]
    relations = [
        RelationDraft(
            a, b, "RELATED_TO", chunk, f"{a} goes with {b}.", weight + (i == 0 and j == 1)
        )
        for i, a in enumerate(keys)
        for j, b in enumerate(keys)
        if i < j
    ]
    entities = [EntityDraft(entity_key(n), n) for n in names]
    return DocumentGraph(entities=entities, mentions=mentions, relations=relations)


def bridge(a: str, b: str) -> DocumentGraph:
    keys = (entity_key(a), entity_key(b))
    return DocumentGraph(
        entities=[EntityDraft(entity_key(n), n) for n in (a, b)],
        mentions=[MentionDraft(k, "bridge-chunk", 0, 3) for k in keys],
        relations=[RelationDraft(*keys, "RELATED_TO", "bridge-chunk", "A weak link.", 0.5)],
    )


def two_clusters(graph: GraphStore, kb_id: str) -> None:
    graph.replace_document(kb_id, "doc-typing", cluster("doc-typing", TYPING))
    graph.replace_document(kb_id, "doc-async", cluster("doc-async", ASYNC))
    graph.replace_document(kb_id, "doc-bridge", bridge("typing", "asyncio"))
