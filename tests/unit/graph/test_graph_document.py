"""What both graph stores write for a document graph: uuid5 ids that a retry reproduces,
repeated drafts folded, and a graph that names undeclared keys refused before any write."""

from __future__ import annotations

import uuid

import pytest

from lumikb_app.adapters import graph_document as gd
from lumikb_app.domain.graph import DocumentGraph, EntityDraft, MentionDraft, RelationDraft
from lumikb_app.ports.graph import Relation

pytestmark = pytest.mark.unit


def test_ids_are_uuid5_strings_a_retry_reproduces() -> None:
    ids = [
        gd.entity_id("kb1", "pep 484"),
        gd.mention_id("doc1", "chunk1", "pep 484", 12),
        gd.relation_id("doc1", "pep 484", "typevar", "CO_OCCURS"),
    ]
    assert [uuid.UUID(i).version for i in ids] == [5, 5, 5]
    assert ids[0] == str(uuid.uuid5(gd._NAMESPACE, "entity\0kb1\0pep 484"))
    assert gd.entity_id("kb1", "pep 484") == ids[0] != gd.entity_id("kb2", "pep 484")
    assert gd.mention_id("doc1", "chunk1", "pep 484", 13) != ids[1]


def test_a_document_graph_folds_repeats_and_drops_self_relations() -> None:
    graph = DocumentGraph(
        entities=[
            EntityDraft("asyncio", "asyncio", aliases=("aio",)),
            EntityDraft("asyncio", "AsyncIO", "library"),
            EntityDraft("pep 492", "PEP 492"),
        ],
        mentions=[MentionDraft("asyncio", "c1", 0, 7), MentionDraft("asyncio", "c1", 0, 7)],
        relations=[
            RelationDraft("asyncio", "pep 492", "CO_OCCURS", "c1", "", 1.0),
            RelationDraft("asyncio", "pep 492", "CO_OCCURS", "c2", "Said here.", 2.0),
            RelationDraft("asyncio", "asyncio", "CO_OCCURS", "c1"),
        ],
    )

    rows = gd.document_rows("doc1", graph)

    assert rows.entities["asyncio"] == EntityDraft(
        "asyncio", "AsyncIO", "library", "", ("asyncio", "aio")
    )
    assert len(rows.mentions) == 1
    [relation] = rows.relations
    assert (relation.weight, relation.evidence, relation.chunk_id) == (3.0, "Said here.", "c2")


@pytest.mark.parametrize(
    "graph",
    [
        DocumentGraph([EntityDraft("a", "A")], [MentionDraft("b", "c1", 0, 1)]),
        DocumentGraph([EntityDraft("a", "A")], [], [RelationDraft("a", "b", "X", "c1")]),
        DocumentGraph([EntityDraft("", "nothing")]),
        DocumentGraph([EntityDraft("x" * 300, "long")]),
        DocumentGraph([EntityDraft("a", "A")], [MentionDraft("a", "c1", 5, 2)]),
    ],
)
def test_a_bad_document_graph_is_refused(graph: DocumentGraph) -> None:
    with pytest.raises(ValueError):
        gd.document_rows("doc1", graph)


def test_aliases_are_distinct_ignoring_case_never_the_name_and_capped() -> None:
    aliases = gd.unite_aliases("Type hints", ["type hints", "Hints", " hints "], ["TYPE-HINTS"])
    assert aliases == ["Hints", "TYPE-HINTS"]
    assert len(gd.unite_aliases("x", [f"a{i}" for i in range(50)])) == gd.MAX_ALIASES


def test_one_relation_per_pair_and_type_carries_the_summed_weight() -> None:
    def rel(rid: str, source: str, target: str, weight: float, type_: str = "X") -> Relation:
        return Relation(rid, "kb", source, target, type_, f"doc-{rid}", weight)

    kept = gd.one_per_pair(
        [
            rel("r1", "a", "b", 1.0),
            rel("r2", "a", "b", 2.0),
            rel("r3", "b", "a", 1.0),
            rel("r4", "a", "b", 5.0, "Y"),
        ]
    )

    assert [(r.id, r.weight) for r in kept] == [("r2", 3.0), ("r3", 1.0), ("r4", 5.0)]
    assert gd.undirected([("b", "a", 1.0), ("a", "b", 2.0), ("a", "a", 9.0)]) == [("a", "b", 3.0)]
