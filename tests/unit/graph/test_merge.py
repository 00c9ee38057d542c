"""Merging one document's chunk extractions into what it adds to the graph."""

from __future__ import annotations

import pytest

from lumikb_app.domain.graph import ChunkExtraction, EntityDraft, MentionDraft, RelationDraft
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.graph.merge import document_graph


def _chunk(chunk_id: str, names: list[tuple[str, str]], relations=(), error=None):
    entities = [EntityDraft(entity_key(n), n, t) for n, t in names]
    mentions = [
        MentionDraft(entity_key(n), chunk_id, i * 10, i * 10 + len(n))
        for i, (n, _) in enumerate(names)
    ]
    return ChunkExtraction(chunk_id, entities, mentions, list(relations), error=error)


def test_spellings_of_one_name_merge_keeping_the_commonest_and_the_others_as_aliases():
    graph = document_graph(
        [
            _chunk("c1", [("Type hints", "term"), ("PEP 484", "pep")]),
            _chunk("c2", [("type hints", "term"), ("PEP-0484", "pep")]),
            _chunk("c3", [("type hint", "term")]),
        ]
    )
    by_key = {e.key: e for e in graph.entities}
    assert set(by_key) == {"type hint", "pep 484"}
    assert by_key["type hint"].name in {"Type hints", "type hints", "type hint"}
    assert set(by_key["type hint"].aliases) | {by_key["type hint"].name} == {
        "Type hints",
        "type hints",
        "type hint",
    }
    assert by_key["pep 484"].type == "pep"
    assert len(graph.mentions) == 5


def test_relations_between_the_same_pair_add_their_weights_and_keep_the_first_evidence():
    rel = RelationDraft("pep 484", "typevar", "CO_OCCURS", "c1", "PEP 484 defines TypeVar.")
    again = RelationDraft("pep 484", "typevar", "CO_OCCURS", "c2", "TypeVar again.", 2.0)
    graph = document_graph(
        [
            _chunk("c1", [("PEP 484", "pep"), ("TypeVar", "code")], [rel]),
            _chunk("c2", [("PEP 484", "pep"), ("TypeVar", "code")], [again]),
        ]
    )
    (merged,) = graph.relations
    assert merged.weight == pytest.approx(3.0)
    assert merged.evidence == "PEP 484 defines TypeVar."


def test_a_relation_needs_both_ends_and_never_loops():
    dangling = RelationDraft("pep 484", "nowhere", "CO_OCCURS", "c1", "x")
    loop = RelationDraft("pep 484", "pep 484", "REFERENCES", "c1", "x")
    graph = document_graph([_chunk("c1", [("PEP 484", "pep")], [dangling, loop])])
    assert graph.relations == []


def test_a_skipped_chunk_adds_nothing():
    skipped = _chunk("c1", [("Secret", "name")], error="the model answered nonsense")
    graph = document_graph([skipped, _chunk("c2", [("asyncio", "code")])])
    assert [e.key for e in graph.entities] == ["asyncio"]
    assert {m.chunk_id for m in graph.mentions} == {"c2"}


def test_the_same_mention_twice_is_kept_once():
    chunk = _chunk("c1", [("asyncio", "code")])
    graph = document_graph([chunk, chunk])
    assert len(graph.mentions) == 1
