"""Graph store contract, reading: entity search, entities, mentions, relations, weighted edges,
communities and stats on every store, each read kept to the KBs it is given."""

from __future__ import annotations

import pytest

from lumikb_app.domain.graph import (
    CO_OCCURS,
    DocumentGraph,
    EntityDraft,
    MentionDraft,
    RelationDraft,
)
from lumikb_app.ports.graph import GraphStats, GraphStore
from tests.integration.graph.contract_builders import by_key, document, ids_of

pytestmark = pytest.mark.integration

# key -> (mentions, type)
TYPING = {
    "generic type": (5, "concept"),
    "type hint": (3, "concept"),
    "type": (2, "builtin"),
    "typevar": (1, "class"),
    "pep 484": (1, "pep"),
}


def typing_graph(document_id: str) -> DocumentGraph:
    entities = [EntityDraft(key, key.title(), kind) for key, (_, kind) in TYPING.items()]
    mentions = [
        MentionDraft(key, f"{document_id}-c{n}", 0, len(key))
        for key, (count, _) in TYPING.items()
        for n in range(count)
    ]
    relations = [
        RelationDraft(
            "pep 484", "type hint", "REFERENCES", f"{document_id}-c0", "PEP 484 says.", 2.0
        ),
        RelationDraft("typevar", "type hint", CO_OCCURS, f"{document_id}-c0", "TypeVar is.", 1.0),
        RelationDraft("type hint", "generic type", CO_OCCURS, f"{document_id}-c1", "", 0.5),
    ]
    return DocumentGraph(entities, mentions, relations)


def found(graph: GraphStore, kb_ids: list[str], text: str, **options) -> list[str]:
    return [e.key for e in graph.find_entities(kb_ids, text, **options)]


def test_find_entities_prefix_matches_first_then_those_containing_the_text(
    graph: GraphStore, kb: str
) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))

    assert found(graph, [kb], "type") == ["type hint", "type", "typevar", "generic type"]
    assert found(graph, [kb], "TYPE", limit=2) == ["type hint", "type"]
    assert found(graph, [kb], "Type-Hints") == ["type hint"]  # normalized like entity keys
    assert found(graph, [kb], "PEP-0484") == ["pep 484"]
    assert found(graph, [kb], "hint") == ["type hint"]  # no prefix match: contains
    assert found(graph, [kb], "nothing like it") == []
    assert found(graph, [kb], "?!") == []  # nothing left to search for


def test_find_entities_without_text_gives_the_most_mentioned(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))

    assert found(graph, [kb], "") == ["generic type", "type hint", "type", "pep 484", "typevar"]
    assert found(graph, [kb], "  ", limit=2) == ["generic type", "type hint"]
    assert [e.mentions for e in graph.find_entities([kb], "")] == [5, 3, 2, 1, 1]


def test_find_entities_filters_by_type_and_community(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))
    ids = dict(zip(TYPING, ids_of(graph, kb, *TYPING), strict=True))
    graph.set_communities(kb, {ids["type"]: 1, ids["typevar"]: 1, ids["pep 484"]: 2})

    assert found(graph, [kb], "type", types=["concept"]) == ["type hint", "generic type"]
    assert found(graph, [kb], "", types=["class", "pep"]) == ["pep 484", "typevar"]
    assert found(graph, [kb], "type", community=1) == ["type", "typevar"]
    assert found(graph, [kb], "", community=2) == ["pep 484"]
    assert found(graph, [kb], "type", types=["builtin"], community=2) == []


def test_set_communities_replaces_every_earlier_assignment(
    graph: GraphStore, kb: str, other_kb: str
) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))
    graph.replace_document(other_kb, "doc9", typing_graph("doc9"))
    ids = dict(zip(TYPING, ids_of(graph, kb, *TYPING), strict=True))
    [theirs] = ids_of(graph, other_kb, "type")
    graph.set_communities(other_kb, {theirs: 7})

    graph.set_communities(kb, {ids["type"]: 1, ids["typevar"]: 1, ids["pep 484"]: 2})
    assert graph.stats(kb).communities == 2

    graph.set_communities(kb, {ids["generic type"]: 3, theirs: 4})  # theirs is not kb's

    communities = {key: e.community for key, e in by_key(graph, [kb], *TYPING).items()}
    assert communities == {key: 3 if key == "generic type" else None for key in TYPING}
    assert graph.stats(kb).communities == 1
    assert graph.get_entities([other_kb], [theirs])[0].community == 7


def test_stats_count_one_kb(graph: GraphStore, kb: str, other_kb: str) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))
    graph.replace_document(other_kb, "doc9", document("doc9", "a b", "a>b"))

    assert graph.stats(kb) == GraphStats(entities=5, relations=3, mentions=12, communities=0)
    assert graph.stats("no-such-kb") == GraphStats()


def test_entities_by_keys_and_by_ids(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))
    hint, pep = ids_of(graph, kb, "type hint", "pep 484")

    assert [e.key for e in graph.entities_by_keys([kb], ["type hint", "pep 484", "nope"])] == [
        "pep 484",
        "type hint",
    ]
    entities = graph.get_entities([kb], [hint, "nope", pep, hint])
    assert [(e.id, e.key, e.name, e.type) for e in entities] == [
        (hint, "type hint", "Type Hint", "concept"),
        (pep, "pep 484", "Pep 484", "pep"),
    ]


def test_mentions_of_entities_and_in_chunks(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))
    graph.replace_document(kb, "doc0", document("doc0", "x x"))
    generic, x = ids_of(graph, kb, "generic type", "x")

    mentions = graph.mentions_of([kb], [generic, x])
    assert [(m.document_id, m.chunk_id, m.char_start) for m in mentions] == [
        ("doc0", "doc0-c1", 0),
        ("doc0", "doc0-c1", 10),
        *((("doc1", f"doc1-c{n}", 0)) for n in range(5)),
    ]
    assert graph.mentions_of([kb], [generic, x], limit=3) == mentions[:3]

    in_chunk = graph.mentions_in_chunks([kb], ["doc1-c2", "doc0-c1"])
    assert sorted(m.entity_id for m in in_chunk) == sorted(
        [x, x, generic, *ids_of(graph, kb, "type hint")]
    )
    assert [m.char_end for m in graph.mentions_in_chunks([kb], ["doc1-c4"])] == [12]


def test_relations_of_an_entity_heaviest_first(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", typing_graph("doc1"))
    hint, pep, typevar, generic = ids_of(
        graph, kb, "type hint", "pep 484", "typevar", "generic type"
    )

    relations = graph.relations_of([kb], hint)
    assert [(r.source_id, r.target_id, r.weight) for r in relations] == [
        (pep, hint, 2.0),
        (typevar, hint, 1.0),
        (hint, generic, 0.5),
    ]
    assert [(r.type, r.evidence, r.chunk_id) for r in relations[:1]] == [
        ("REFERENCES", "PEP 484 says.", "doc1-c0")
    ]
    assert graph.relations_of([kb], hint, limit=1) == relations[:1]


def test_weighted_edges_sum_each_pair_over_documents_types_and_directions(
    graph: GraphStore, kb: str, other_kb: str
) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "a b c", "a>b b>c"))
    doc2 = document("doc2", "a b", "b>a")
    doc2.relations.append(RelationDraft("a", "b", "REFERENCES", "doc2-c1", weight=0.5))
    graph.replace_document(kb, "doc2", doc2)
    graph.replace_document(other_kb, "doc9", document("doc9", "a b", "a>b"))
    a, b, c = ids_of(graph, kb, "a", "b", "c")

    edges = {(s, t): w for s, t, w in graph.weighted_edges(kb)}

    assert edges == {(min(a, b), max(a, b)): 2.5, (min(b, c), max(b, c)): 1.0}
    assert graph.weighted_edges("no-such-kb") == []


def test_no_read_returns_anything_of_a_kb_it_was_not_given(
    graph: GraphStore, kb: str, other_kb: str
) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "public", ""))
    graph.replace_document(other_kb, "doc9", typing_graph("doc9"))  # same keys, another KB
    graph.replace_document(other_kb, "doc8", document("doc8", "public secret", "public>secret"))
    theirs = ids_of(graph, other_kb, *TYPING, "public", "secret")
    mine = ids_of(graph, kb, "public")

    assert found(graph, [kb], "") == ["public"]
    assert found(graph, [kb], "type") == found(graph, [kb], "secret") == []
    assert [e.id for e in graph.find_entities([kb], "public")] == mine
    assert graph.entities_by_keys([kb], [*TYPING, "secret"]) == []
    assert [e.id for e in graph.entities_by_keys([kb], ["public"])] == mine
    assert graph.get_entities([kb], theirs) == []
    assert graph.mentions_of([kb], theirs) == []
    assert graph.mentions_in_chunks([kb], ["doc9-c0", "doc8-c1"]) == []
    assert all(graph.relations_of([kb], entity_id) == [] for entity_id in theirs)
    assert graph.relations_of([kb], mine[0]) == []
    assert graph.weighted_edges(kb) == []

    for read_nothing in (
        graph.find_entities([], ""),
        graph.entities_by_keys([], ["public"]),
        graph.get_entities([], mine),
        graph.mentions_of([], mine),
        graph.mentions_in_chunks([], ["doc1-c1"]),
        graph.relations_of([], theirs[0]),
    ):
        assert read_nothing == []

    both = graph.find_entities([kb, other_kb], "public")
    assert sorted(e.kb_id for e in both) == sorted([kb, other_kb])
    assert len(graph.relations_of([kb, other_kb], theirs[-1])) == 1


def test_find_entities_takes_wildcards_and_accents_literally(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "os_path osxpath café cafe"))

    assert found(graph, [kb], "os_") == ["os_path"]  # "_" is no wildcard
    assert found(graph, [kb], "Café") == ["café"]
    assert found(graph, [kb], "caf") == ["cafe", "café"]
