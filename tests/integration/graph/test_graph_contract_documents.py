"""Graph store contract, writing documents: replace_document and delete_document on every store
(SQL on SQLite and PostgreSQL, Cypher on FalkorDB, and Neo4j when NEO4J_URI is set)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

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


def links(graph: GraphStore, kb: str, *keys: str) -> set[str]:
    """Every relation touching the entities of `keys`, as "source>target" keys."""
    found = by_key(graph, [kb], *keys)
    names = {e.id: e.key for e in found.values()}
    relations = [r for e in found.values() for r in graph.relations_of([kb], e.id)]
    names |= {e.id: e.key for e in graph.get_entities([kb], [r.source_id for r in relations])}
    names |= {e.id: e.key for e in graph.get_entities([kb], [r.target_id for r in relations])}
    return {f"{names[r.source_id]}>{names[r.target_id]}" for r in relations}


def mention_counts(graph: GraphStore, kb: str, *keys: str) -> dict[str, int]:
    return {key: e.mentions for key, e in by_key(graph, [kb], *keys).items()}


def test_a_document_graph_becomes_entities_mentions_and_relations(
    graph: GraphStore, kb: str
) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "asyncio pep 492 asyncio", "asyncio>pep"))

    entities = by_key(graph, [kb], "asyncio", "pep", "492")
    assert {key: (e.name, e.mentions) for key, e in entities.items()} == {
        "asyncio": ("ASYNCIO", 2),
        "pep": ("PEP", 1),
        "492": ("492", 1),
    }
    mentions = graph.mentions_of([kb], [entities["asyncio"].id])
    assert [(m.chunk_id, m.char_start, m.char_end, m.document_id) for m in mentions] == [
        ("doc1-c1", 0, 7, "doc1"),
        ("doc1-c1", 30, 37, "doc1"),
    ]
    [relation] = graph.relations_of([kb], entities["pep"].id)
    assert (relation.source_id, relation.target_id) == (entities["asyncio"].id, entities["pep"].id)
    assert (relation.type, relation.document_id, relation.chunk_id) == (
        CO_OCCURS,
        "doc1",
        "doc1-c1",
    )
    assert relation.evidence == "asyncio goes with pep."
    assert graph.stats(kb) == GraphStats(entities=3, relations=1, mentions=4, communities=0)


def test_replacing_a_document_twice_leaves_the_same_rows(graph: GraphStore, kb: str) -> None:
    doc = document("doc1", "a b c a", "a>b b>c")
    graph.replace_document(kb, "doc1", doc)
    first = by_key(graph, [kb], "a", "b", "c")
    first_mentions = graph.mentions_of([kb], [e.id for e in first.values()])

    graph.replace_document(kb, "doc1", doc)

    assert by_key(graph, [kb], "a", "b", "c") == first
    assert graph.mentions_of([kb], [e.id for e in first.values()]) == first_mentions
    assert len(first_mentions) == 4
    assert graph.stats(kb) == GraphStats(entities=3, relations=2, mentions=4, communities=0)
    assert mention_counts(graph, kb, "a", "b", "c") == {"a": 2, "b": 1, "c": 1}


def test_replacing_a_document_with_less_drops_what_it_no_longer_says(
    graph: GraphStore, kb: str
) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "a b c", "a>b b>c"))

    graph.replace_document(kb, "doc1", document("doc1", "a b", ""))

    assert set(by_key(graph, [kb], "a", "b", "c")) == {"a", "b"}
    assert links(graph, kb, "a", "b") == set()
    assert graph.stats(kb) == GraphStats(entities=2, relations=0, mentions=2, communities=0)


def test_a_new_version_then_deleting_the_old_one_removes_exactly_the_old_contribution(
    graph: GraphStore, kb: str
) -> None:
    graph.replace_document(kb, "v1", document("v1", "a b c", "a>b b>c"))
    graph.replace_document(kb, "doc2", document("doc2", "c d", "c>d"))

    graph.replace_document(kb, "v2", document("v2", "a e", "a>e"))
    graph.delete_document(kb, "v1")

    assert set(by_key(graph, [kb], *"abcde")) == {"a", "c", "d", "e"}  # b: only v1 knew it
    assert links(graph, kb, "a", "c", "d", "e") == {"a>e", "c>d"}
    assert mention_counts(graph, kb, *"acde") == {"a": 1, "c": 1, "d": 1, "e": 1}
    [a_mention] = graph.mentions_of([kb], ids_of(graph, kb, "a"))
    assert a_mention.document_id == "v2"
    assert graph.stats(kb) == GraphStats(entities=4, relations=2, mentions=4, communities=0)


def test_deleting_a_document_recounts_mentions_of_what_it_shared(
    graph: GraphStore, kb: str
) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "a a b"))
    graph.replace_document(kb, "doc2", document("doc2", "a b"))
    assert mention_counts(graph, kb, "a", "b") == {"a": 3, "b": 2}

    graph.delete_document(kb, "doc1")

    assert mention_counts(graph, kb, "a", "b") == {"a": 1, "b": 1}


def test_an_entity_only_related_survives_while_its_relation_does(
    graph: GraphStore, kb: str
) -> None:
    only_related = DocumentGraph(
        entities=[EntityDraft("a", "A"), EntityDraft("b", "B")],
        mentions=[MentionDraft("a", "doc1-c1", 0, 1)],
        relations=[RelationDraft("a", "b", "REFERENCES", "doc1-c1")],
    )
    graph.replace_document(kb, "doc1", only_related)

    assert mention_counts(graph, kb, "a", "b") == {"a": 1, "b": 0}

    graph.delete_document(kb, "doc1")
    assert by_key(graph, [kb], "a", "b") == {}


def test_entities_merge_by_key_across_documents_keeping_aliases_type_and_description(
    graph: GraphStore, kb: str
) -> None:
    first = EntityDraft("type hint", "Type hints", "", "Annotations of types.", ("type-hints",))
    second = EntityDraft("type hint", "type annotations", "concept", "", ("Annotations",))
    for document_id, draft in (("doc1", first), ("doc2", second), ("doc3", first)):
        mention = MentionDraft(draft.key, f"{document_id}-c1", 0, 10)
        graph.replace_document(kb, document_id, DocumentGraph([draft], [mention]))

    [merged] = by_key(graph, [kb], "type hint").values()
    assert merged.name == "Type hints"  # the latest write names it
    assert merged.type == "concept"  # an empty type never erases one
    assert merged.description == "Annotations of types."
    assert set(merged.aliases) == {"type annotations", "type-hints", "Annotations"}
    assert merged.mentions == 3
    assert graph.stats(kb).entities == 1


def test_aliases_stay_a_short_list(graph: GraphStore, kb: str) -> None:
    many = EntityDraft("x", "X", aliases=tuple(f"alias {i}" for i in range(40)))
    graph.replace_document(kb, "doc1", document("doc1", "x", drafts=(many,)))

    [x] = by_key(graph, [kb], "x").values()
    assert x.aliases == tuple(f"alias {i}" for i in range(20))


def test_repeated_relations_and_mentions_in_one_graph_fold_together(
    graph: GraphStore, kb: str
) -> None:
    doc = document("doc1", "a b", "a>b")
    doc.relations.append(RelationDraft("a", "b", CO_OCCURS, "doc1-c1", weight=2.5))
    doc.mentions.append(doc.mentions[0])

    graph.replace_document(kb, "doc1", doc)

    [relation] = graph.relations_of([kb], ids_of(graph, kb, "a")[0])
    assert relation.weight == 3.5
    assert relation.evidence == "a goes with b."
    assert mention_counts(graph, kb, "a", "b") == {"a": 1, "b": 1}


def test_a_bad_document_graph_is_refused_and_changes_nothing(graph: GraphStore, kb: str) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "a b", "a>b"))
    before = (graph.stats(kb), by_key(graph, [kb], "a", "b"))
    undeclared_mention = document("doc1", "c")
    undeclared_mention.mentions.append(MentionDraft("nobody", "doc1-c1", 0, 3))
    undeclared_relation = document("doc1", "c", "c>nobody")
    empty_key = DocumentGraph(entities=[EntityDraft("", "")])
    bad_offsets = document("doc1", "c")
    bad_offsets.mentions.append(MentionDraft("c", "doc1-c1", 9, 3))

    for bad in (undeclared_mention, undeclared_relation, empty_key, bad_offsets):
        with pytest.raises(ValueError):
            graph.replace_document(kb, "doc1", bad)

    assert (graph.stats(kb), by_key(graph, [kb], "a", "b")) == before


def test_documents_of_one_kb_never_touch_the_same_keys_of_another(
    graph: GraphStore, kb: str, other_kb: str
) -> None:
    graph.replace_document(kb, "doc1", document("doc1", "a b", "a>b"))
    graph.replace_document(other_kb, "doc9", document("doc9", "a b", "a>b"))
    theirs = by_key(graph, [other_kb], "a", "b")
    assert set(ids_of(graph, kb, "a", "b")).isdisjoint(e.id for e in theirs.values())

    graph.replace_document(kb, "doc1", document("doc1", "a"))
    graph.delete_document(kb, "doc1")
    graph.delete_document(kb, "doc9")  # another KB's document id: nothing of it goes

    assert by_key(graph, [kb], "a", "b") == {}
    assert by_key(graph, [other_kb], "a", "b") == theirs
    assert graph.stats(other_kb) == GraphStats(entities=2, relations=1, mentions=2, communities=0)


def test_documents_sharing_new_keys_can_be_written_at_the_same_time(
    graph: GraphStore, kb: str, request: pytest.FixtureRequest
) -> None:
    if "falkordb" in request.node.callspec.id:
        pytest.skip("FalkorDB runs each query on its own: no transaction to keep two apart")
    shared = " ".join(f"k{i}" for i in range(40))
    docs = [f"doc{n}" for n in range(8)]
    ready = threading.Barrier(len(docs))

    def write(document_id: str) -> None:
        ready.wait()
        graph.replace_document(kb, document_id, document(document_id, shared, "k0>k1 k1>k2"))

    with ThreadPoolExecutor(len(docs)) as pool:
        list(pool.map(write, docs))

    counts = mention_counts(graph, kb, *shared.split())
    assert counts == {key: len(docs) for key in shared.split()}
    assert graph.stats(kb) == GraphStats(
        entities=40, relations=2 * len(docs), mentions=40 * len(docs), communities=0
    )
