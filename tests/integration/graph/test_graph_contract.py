"""One contract for every graph store: SQL on SQLite and PostgreSQL, Cypher on FalkorDB (and Neo4j when NEO4J_URI is set)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lumikb_app.ports.graph import Entity, GraphStore, Mention, Relation, Subgraph
from tests.integration.graph.graph_targets import open_unanswering_target, target_kinds

pytestmark = pytest.mark.integration


# -- building blocks -----------------------------------------------------------


def entity(kb: str, key: str, **fields: Any) -> Entity:
    return Entity(
        id=f"{kb}-{key}", kb_id=kb, key=key, name=fields.pop("name", key.upper()), **fields
    )


def relation(kb: str, source: str, target: str, document: str = "doc1", **fields) -> Relation:
    return Relation(
        id=f"{kb}-{source}>{target}",
        kb_id=kb,
        source_id=f"{kb}-{source}",
        target_id=f"{kb}-{target}",
        type=fields.pop("type", "RELATED_TO"),
        document_id=document,
        **fields,
    )


def mention(kb: str, key: str, document: str, chunk: str = "c1") -> Mention:
    return Mention(
        id=f"{kb}-{key}@{document}",
        kb_id=kb,
        entity_id=f"{kb}-{key}",
        document_id=document,
        chunk_id=f"{kb}-{document}-{chunk}",
    )


def chain(graph: GraphStore, kb: str, keys: str, document: str = "doc1") -> None:
    """Entities for each letter, each mentioned in `document`, linked left to right."""
    for key in keys:
        graph.upsert_entity(entity(kb, key))
        graph.upsert_mention(mention(kb, key, document))
    for source, target in zip(keys, keys[1:], strict=False):
        graph.upsert_relation(relation(kb, source, target, document))


def keys(subgraph: Subgraph) -> set[str]:
    return {e.key for e in subgraph.entities}


def links(subgraph: Subgraph) -> set[str]:
    by_id = {e.id: e.key for e in subgraph.entities}
    return {f"{by_id[r.source_id]}>{by_id[r.target_id]}" for r in subgraph.relations}


def around(graph: GraphStore, kb: str, *seeds: str, hops: int = 1, limit: int = 200) -> Subgraph:
    return graph.neighbourhood(kb, [f"{kb}-{seed}" for seed in seeds], hops=hops, limit=limit)


# -- upserts -------------------------------------------------------------------


def test_upserting_the_same_entity_twice_keeps_one(graph: GraphStore, kb: str) -> None:
    graph.upsert_entity(entity(kb, "a", name="Ada"))
    graph.upsert_entity(entity(kb, "a", name="Ada Lovelace", type="person"))

    found = around(graph, kb, "a", hops=0)

    assert found.entities == [entity(kb, "a", name="Ada Lovelace", type="person", aliases=("Ada",))]


def test_entities_with_the_same_key_merge_into_the_first(graph: GraphStore, kb: str) -> None:
    graph.upsert_entity(Entity(id=f"{kb}-x1", kb_id=kb, key="acme", name="Acme", type="org"))
    graph.upsert_entity(
        Entity(id=f"{kb}-x2", kb_id=kb, key="acme", name="ACME Inc.", description="Makes anvils")
    )

    found = graph.neighbourhood(kb, [f"{kb}-x1", f"{kb}-x2"], hops=0)

    assert found.entities == [
        Entity(
            id=f"{kb}-x1",
            kb_id=kb,
            key="acme",
            name="ACME Inc.",
            type="org",
            description="Makes anvils",
            aliases=("Acme",),
        )
    ]


def test_relations_and_mentions_are_upserted_by_id(graph: GraphStore, kb: str) -> None:
    chain(graph, kb, "ab")
    graph.upsert_relation(relation(kb, "a", "b", type="WORKS_WITH", weight=2.5))
    graph.upsert_mention(mention(kb, "a", "doc1"))

    found = around(graph, kb, "a")

    assert found.relations == [relation(kb, "a", "b", type="WORKS_WITH", weight=2.5)]


def test_a_relation_moves_when_its_ends_change(graph: GraphStore, kb: str) -> None:
    chain(graph, kb, "abc")
    graph.upsert_relation(Relation(f"{kb}-a>b", kb, f"{kb}-a", f"{kb}-c", "RELATED_TO", "doc1"))

    assert links(around(graph, kb, "a")) == {"a>c"}
    assert keys(around(graph, kb, "a")) == {"a", "c"}


def test_relations_and_mentions_need_entities_of_their_kb(
    graph: GraphStore, kb: str, other_kb: str
) -> None:
    graph.upsert_entity(entity(kb, "a"))
    graph.upsert_entity(entity(other_kb, "b"))

    with pytest.raises(ValueError):
        graph.upsert_relation(relation(kb, "a", "missing"))
    with pytest.raises(ValueError):
        graph.upsert_relation(
            Relation(f"{kb}-cross", kb, f"{kb}-a", f"{other_kb}-b", "RELATED_TO", "doc1")
        )
    with pytest.raises(ValueError):
        graph.upsert_mention(mention(kb, "missing", "doc1"))
    assert around(graph, kb, "a").relations == []


def test_an_entity_id_belongs_to_one_kb(graph: GraphStore, kb: str, other_kb: str) -> None:
    graph.upsert_entity(entity(kb, "a"))

    with pytest.raises(ValueError):
        graph.upsert_entity(Entity(id=f"{kb}-a", kb_id=other_kb, key="a", name="A"))

    assert graph.neighbourhood(other_kb, [f"{kb}-a"]).entities == []


# -- neighbourhood -------------------------------------------------------------


def test_hops_walk_relations_in_both_directions(graph: GraphStore, kb: str) -> None:
    chain(graph, kb, "abcd")

    assert keys(around(graph, kb, "b", hops=0)) == {"b"}
    assert keys(around(graph, kb, "b", hops=1)) == {"a", "b", "c"}
    assert keys(around(graph, kb, "b", hops=2)) == {"a", "b", "c", "d"}
    assert keys(around(graph, kb, "d", hops=1)) == {"c", "d"}
    assert keys(around(graph, kb, "d", hops=2)) == {"b", "c", "d"}
    assert keys(around(graph, kb, "a", "d", hops=1)) == {"a", "b", "c", "d"}


def test_relations_returned_are_those_among_the_returned_entities(
    graph: GraphStore, kb: str
) -> None:
    chain(graph, kb, "abcd")
    graph.upsert_relation(relation(kb, "d", "a"))  # closes the ring

    one_hop = around(graph, kb, "a", hops=1)
    assert keys(one_hop) == {"a", "b", "d"}
    assert links(one_hop) == {"a>b", "d>a"}

    assert links(around(graph, kb, "b", hops=0)) == set()
    assert links(around(graph, kb, "a", hops=2)) == {"a>b", "b>c", "c>d", "d>a"}


def test_limit_caps_entities_and_keeps_the_nearest(graph: GraphStore, kb: str) -> None:
    chain(graph, kb, "abcd")
    for leaf in "wxyz":
        graph.upsert_entity(entity(kb, leaf))
        graph.upsert_relation(relation(kb, "a", leaf))

    capped = around(graph, kb, "a", hops=3, limit=4)  # a has five neighbours: b, w, x, y, z
    assert len(capped.entities) == 4
    assert capped.entities[0].key == "a"
    assert keys(capped) - {"a"} < {"b", "w", "x", "y", "z"}  # no 2- or 3-hop entity (c, d)
    assert links(capped) == {f"a>{key}" for key in keys(capped) - {"a"}}

    assert keys(around(graph, kb, "a", hops=2, limit=1)) == {"a"}
    assert around(graph, kb, "a", limit=0) == Subgraph()


def test_a_pair_several_documents_relate_comes_back_once_with_the_summed_weight(
    graph: GraphStore, kb: str
) -> None:
    chain(graph, kb, "ab", document="doc1")  # a>b, weight 1, from doc1
    heavier = relation(kb, "a", "b", document="doc2", weight=2.5, evidence="A uses B.")
    graph.upsert_relation(replace(heavier, id=f"{kb}-a>b@doc2", chunk_id="c9"))
    graph.upsert_relation(relation(kb, "b", "a", document="doc3"))  # the other direction
    other_type = relation(kb, "a", "b", document="doc3", type="REFERENCES")
    graph.upsert_relation(replace(other_type, id=f"{kb}-a>b@doc3"))

    found = around(graph, kb, "a")

    key = {f"{kb}-a": "a", f"{kb}-b": "b"}
    assert sorted(
        (key[r.source_id], key[r.target_id], r.type, r.weight) for r in found.relations
    ) == [
        ("a", "b", "REFERENCES", 1.0),
        ("a", "b", "RELATED_TO", 3.5),
        ("b", "a", "RELATED_TO", 1.0),
    ]
    [summed] = [r for r in found.relations if r.weight == 3.5]
    assert (summed.id, summed.document_id, summed.evidence, summed.chunk_id) == (
        f"{kb}-a>b@doc2",
        "doc2",
        "A uses B.",
        "c9",
    )


def test_the_walk_never_leaves_its_kb(graph: GraphStore, kb: str, other_kb: str) -> None:
    chain(graph, kb, "abc")
    chain(graph, other_kb, "abcx")  # same keys and names in another KB, plus one more

    inside = around(graph, kb, "a", hops=5)
    assert keys(inside) == {"a", "b", "c"}
    assert {e.kb_id for e in inside.entities} == {kb}
    assert {r.kb_id for r in inside.relations} == {kb}

    assert graph.neighbourhood(kb, [f"{other_kb}-a", f"{other_kb}-x"], hops=2) == Subgraph()
    mixed = graph.neighbourhood(other_kb, [f"{kb}-a", f"{other_kb}-c"], hops=1)
    assert {e.id for e in mixed.entities} == {f"{other_kb}-b", f"{other_kb}-c", f"{other_kb}-x"}


def test_no_seeds_or_unknown_seeds_give_an_empty_subgraph(graph: GraphStore, kb: str) -> None:
    chain(graph, kb, "ab")

    assert graph.neighbourhood(kb, [], hops=2) == Subgraph()
    assert graph.neighbourhood(kb, [f"{kb}-nobody"], hops=2) == Subgraph()


# -- deleting a document -------------------------------------------------------


def test_deleting_a_document_keeps_what_another_document_still_uses(
    graph: GraphStore, kb: str
) -> None:
    chain(graph, kb, "ab", document="doc1")  # a, b mentioned in doc1; a>b from doc1
    chain(graph, kb, "bc", document="doc2")  # b, c mentioned in doc2; b>c from doc2
    graph.upsert_entity(entity(kb, "d"))  # never mentioned, only related by doc2
    graph.upsert_relation(relation(kb, "c", "d", document="doc2"))

    graph.delete_document(kb, "doc1")

    assert around(graph, kb, "a") == Subgraph()  # only doc1 knew a
    left = around(graph, kb, "b", hops=3)
    assert keys(left) == {"b", "c", "d"}
    assert links(left) == {"b>c", "c>d"}

    graph.delete_document(kb, "doc2")
    assert graph.neighbourhood(kb, [f"{kb}-{k}" for k in "abcd"], hops=1) == Subgraph()


def test_deleting_a_document_removes_its_relations_between_kept_entities(
    graph: GraphStore, kb: str
) -> None:
    chain(graph, kb, "ab", document="doc1")
    for key in "ab":
        graph.upsert_mention(mention(kb, key, "doc2"))

    graph.delete_document(kb, "doc1")

    kept = around(graph, kb, "a")
    assert keys(kept) == {"a"}
    assert kept.relations == []


def test_a_moved_mention_no_longer_counts_for_its_old_document(graph: GraphStore, kb: str) -> None:
    graph.upsert_entity(entity(kb, "a"))
    graph.upsert_mention(mention(kb, "a", "doc1"))
    moved = mention(kb, "a", "doc1")
    graph.upsert_mention(Mention(moved.id, kb, moved.entity_id, "doc2", f"{kb}-doc2-c1"))

    graph.delete_document(kb, "doc1")
    assert keys(around(graph, kb, "a")) == {"a"}

    graph.delete_document(kb, "doc2")
    assert around(graph, kb, "a") == Subgraph()


def test_deleting_a_document_stays_in_its_kb_and_can_repeat(
    graph: GraphStore, kb: str, other_kb: str
) -> None:
    chain(graph, kb, "ab", document="doc1")
    chain(graph, other_kb, "ab", document="doc1")  # same document id in another KB

    graph.delete_document(kb, "doc1")
    graph.delete_document(kb, "doc1")

    assert around(graph, kb, "a") == Subgraph()
    assert links(around(graph, other_kb, "a")) == {"a>b"}


def test_health_passes_on_a_store_that_answers(graph: GraphStore, kb: str) -> None:
    chain(graph, kb, "ab")
    assert graph.health() is None


@pytest.mark.parametrize("kind", target_kinds())
def test_health_fails_on_a_store_that_cannot_answer(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with (
        open_unanswering_target(kind, tmp_path, request.getfixturevalue) as store,
        pytest.raises(Exception),  # noqa: B017 (each engine raises its own error)
    ):
        store.health()
