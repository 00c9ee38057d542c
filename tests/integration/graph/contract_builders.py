"""Builders the graph store contract suites share."""

from __future__ import annotations

from lumikb_app.domain.graph import (
    CO_OCCURS,
    DocumentGraph,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.ports.graph import Entity, GraphStore


def document(
    document_id: str,
    mentioned: str,
    relations: str = "",
    *,
    drafts: tuple[EntityDraft, ...] = (),
    chunk: str = "c1",
) -> DocumentGraph:
    """A document graph: each word of `mentioned` is a key mentioned once (a word twice, twice)
    in the chunk `<document_id>-<chunk>`; `relations` like "a>b b>c" are co-occurrences, each
    with its sentence. `drafts` replace the plain draft of their key."""
    chunk_id = f"{document_id}-{chunk}"
    words = mentioned.split()
    by_key = {key: EntityDraft(key=key, name=key.upper()) for key in words}
    by_key |= {draft.key: draft for draft in drafts}
    mentions = [
        MentionDraft(key, chunk_id, 10 * i, 10 * i + len(key)) for i, key in enumerate(words)
    ]
    pairs = [pair.split(">") for pair in relations.split()]
    return DocumentGraph(
        entities=list(by_key.values()),
        mentions=mentions,
        relations=[
            RelationDraft(s, t, CO_OCCURS, chunk_id, evidence=f"{s} goes with {t}.")
            for s, t in pairs
        ],
    )


def by_key(graph: GraphStore, kb_ids: list[str], *keys: str) -> dict[str, Entity]:
    return {e.key: e for e in graph.entities_by_keys(kb_ids, list(keys))}


def ids_of(graph: GraphStore, kb: str, *keys: str) -> list[str]:
    found = by_key(graph, [kb], *keys)
    return [found[key].id for key in keys]
