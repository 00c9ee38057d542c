"""What an extractor finds in a chunk, and what one document adds to its KB's graph.

Entities are named by their key (`graph_names.entity_key`): the graph store merges entities of
one KB on it, so drafts never carry store ids. Offsets are character offsets into the chunk's
text, so the viewer can highlight a mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Relation types the no-LLM extractor writes; an LLM may name others (upper snake case).
REFERENCES = "REFERENCES"  # a document (or its PEP) names another PEP
CO_OCCURS = "CO_OCCURS"  # two entities share a sentence


@dataclass(frozen=True)
class EntityDraft:
    key: str
    name: str
    type: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class MentionDraft:
    key: str
    chunk_id: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class RelationDraft:
    source_key: str
    target_key: str
    type: str
    chunk_id: str
    evidence: str = ""  # the sentence that says it
    weight: float = 1.0


@dataclass(frozen=True)
class ChunkText:
    chunk_id: str
    text: str
    title: str = ""  # the document's title, for relations from the document's own entity


@dataclass
class ChunkExtraction:
    """One chunk's entities, mentions and relations; `error` says why a chunk was skipped."""

    chunk_id: str
    entities: list[EntityDraft] = field(default_factory=list)
    mentions: list[MentionDraft] = field(default_factory=list)
    relations: list[RelationDraft] = field(default_factory=list)
    tokens: int = 0  # model tokens spent (0 without a model)
    error: str | None = None


@dataclass
class DocumentGraph:
    """Everything one document version contributes; written to the store as a whole."""

    entities: list[EntityDraft] = field(default_factory=list)
    mentions: list[MentionDraft] = field(default_factory=list)
    relations: list[RelationDraft] = field(default_factory=list)


class GraphStage:
    """States of a document version's graph stage (graph_extractions.state)."""

    queued = "queued"
    extracting = "extracting"
    ready = "ready"
    failed = "failed"
    WORKING = frozenset({queued, extracting})
