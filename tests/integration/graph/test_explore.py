"""Exploring a KB's graph (services/graph/explore.py) on the real embedded stores: what the graph
page shows, within its bounds, and nothing at all of a KB the caller may not read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk
from lumikb_app.domain.graph import REFERENCES
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.graph import explore
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.graph.explore_world import (
    FILLERS,
    SECRET,
    ExploreWorld,
    deployment,
    graph_of,
)

pytestmark = pytest.mark.integration

UNKNOWN_KB = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[ExploreWorld]:
    yield from deployment(tmp_path_factory)


def _id(world: ExploreWorld, name: str) -> str:
    return world.ids[entity_key(name)]


def _names(nodes) -> set[str]:
    return {node.name for node in nodes}


# --- what a reader sees -----------------------------------------------------------------------


def test_the_overview_draws_the_most_mentioned_entities_and_the_relations_among_them(world):
    view = explore.overview(world.alice, world.kb)
    assert {"PEP 484", "TypeVar", "Guido van Rossum", "asyncio"} <= _names(view.nodes)
    assert len(view.nodes) == 4 + FILLERS
    assert [n.name for n in view.nodes[:2]] == ["TypeVar", "Guido van Rossum"]  # most mentioned
    pairs = {frozenset((e.source, e.target)) for e in view.edges}
    assert frozenset((_id(world, "PEP 484"), _id(world, "TypeVar"))) in pairs
    assert frozenset((_id(world, "Guido van Rossum"), _id(world, "asyncio"))) in pairs
    assert (view.kb_name, view.entity_count) == (world.kb_name, 4 + FILLERS)
    assert [(c.number, c.title) for c in view.communities] == [
        (0, "Type hints"),
        (1, "People and runtimes"),
    ]
    assert view.types == ("code", "library", "pep", "person", "term")


def test_the_overview_keeps_to_its_limit_and_edges_only_between_drawn_nodes(world):
    view = explore.overview(world.alice, world.kb, limit=3)
    drawn = {node.id for node in view.nodes}
    assert len(drawn) == 3
    assert all(e.source in drawn and e.target in drawn for e in view.edges)


def test_the_overview_filters_by_type_and_by_community(world):
    people = explore.overview(world.alice, world.kb, types=["person"])
    assert _names(people.nodes) == {"Guido van Rossum"}
    typing = explore.overview(world.alice, world.kb, community=0)
    assert _names(typing.nodes) == {"PEP 484", "TypeVar"}
    assert [n.community for n in typing.nodes] == [0, 0]


def test_search_finds_entities_by_the_start_of_their_name(world):
    assert _names(explore.search_entities(world.alice, world.kb, "guido")) == {"Guido van Rossum"}
    assert _names(explore.search_entities(world.alice, world.kb, "  TYPEVAR ")) == {"TypeVar"}
    assert len(explore.search_entities(world.alice, world.kb, "term", limit=5)) == 5
    assert explore.search_entities(world.alice, world.kb, "no such thing") == []


def test_neighbours_expand_one_entity_by_hops(world):
    one = explore.neighbours(world.alice, world.kb, _id(world, "TypeVar"))
    assert _names(one.nodes) == {"TypeVar", "PEP 484", "Guido van Rossum"}
    assert len(one.edges) == 2
    # Expanded nodes are coloured and sized like the overview's.
    assert {(n.name, n.community, n.mentions) for n in one.nodes} == {
        ("TypeVar", 0, 3),
        ("PEP 484", 0, 2),
        ("Guido van Rossum", 1, 2),
    }
    two = explore.neighbours(world.alice, world.kb, _id(world, "TypeVar"), hops=2)
    assert "asyncio" in _names(two.nodes)
    capped = explore.neighbours(world.alice, world.kb, _id(world, "TypeVar"), hops=2, limit=2)
    assert len(capped.nodes) == 2 and capped.nodes[0].name == "TypeVar"


def test_the_entity_detail_has_its_relations_with_evidence_and_passages_linking_to_the_viewer(
    world,
):
    detail = explore.entity_detail(world.alice, world.kb, _id(world, "TypeVar"))
    assert (detail.node.name, detail.node.type) == ("TypeVar", "code")
    assert detail.description == "About TypeVar."
    assert detail.community is not None and detail.community.title == "Type hints"
    related = {(r.other_name, r.type, r.outgoing) for r in detail.relations}
    assert related == {("PEP 484", "REFERENCES", False), ("Guido van Rossum", "CO_OCCURS", False)}
    evidence = {r.other_name: r.evidence for r in detail.relations}
    assert evidence["PEP 484"] == "PEP 484 introduced TypeVar for generic functions."
    # The superseded document's passage is not shown, only the current one's.
    assert [p.document_name for p in detail.passages] == ["pep-484-notes.md"]
    passage = detail.passages[0]
    assert passage.mention == "TypeVar"
    assert passage.before.endswith("PEP 484 introduced ")
    assert passage.href == (
        f"/view/{world.doc}?chunk={passage.chunk_id}&page=&version={passage.version}"
    )


# --- bounds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda w: explore.overview(w.alice, w.kb, limit=0),
        lambda w: explore.overview(w.alice, w.kb, limit=explore.MAX_OVERVIEW + 1),
        lambda w: explore.overview(w.alice, w.kb, types=["t"] * (explore.MAX_TYPES + 1)),
        lambda w: explore.search_entities(w.alice, w.kb, "x" * (explore.MAX_QUERY_CHARS + 1)),
        lambda w: explore.search_entities(w.alice, w.kb, "x", limit=explore.MAX_SEARCH + 1),
        lambda w: explore.neighbours(w.alice, w.kb, "any", hops=explore.MAX_HOPS + 1),
        lambda w: explore.neighbours(w.alice, w.kb, "any", hops=0),
        lambda w: explore.neighbours(w.alice, w.kb, "any", limit=explore.MAX_NEIGHBOURS + 1),
    ],
)
def test_out_of_bounds_input_gets_a_clear_error(world, call):
    with pytest.raises(explore.GraphInputError, match=r"\w"):
        call(world)


def test_an_entity_that_is_not_in_the_kb_is_not_found(world):
    other_kbs_typevar = world.private_ids[entity_key("TypeVar")]
    for call in (explore.entity_detail, explore.neighbours):
        with pytest.raises(explore.EntityNotFound):
            call(world.alice, world.kb, other_kbs_typevar)
        with pytest.raises(explore.EntityNotFound):
            call(world.alice, world.kb, "no-such-entity")


# --- access -----------------------------------------------------------------------------------


def _every_call(world: ExploreWorld, kb_id: str, entity_id: str) -> list:
    return [
        lambda u: explore.overview(u, kb_id),
        lambda u: explore.search_entities(u, kb_id, "TypeVar"),
        lambda u: explore.neighbours(u, kb_id, entity_id),
        lambda u: explore.entity_detail(u, kb_id, entity_id),
    ]


def test_a_user_without_a_grant_is_refused_everything_exactly_like_for_an_unknown_kb(world):
    with pytest.raises(PermissionDenied) as unknown:
        kbs.get_kb(world.carol, UNKNOWN_KB)
    refusal = str(unknown.value)
    for kb_id in (world.kb, UNKNOWN_KB):
        for call in _every_call(world, kb_id, _id(world, "TypeVar")):
            with pytest.raises(PermissionDenied) as refused:
                call(world.carol)
            assert str(refused.value) == refusal


def test_a_same_named_entity_in_another_kb_never_shows_up(world):
    typevar = _id(world, "TypeVar")
    shown = [
        explore.overview(world.alice, world.kb),
        explore.search_entities(world.alice, world.kb, "typevar"),
        explore.search_entities(world.alice, world.kb, SECRET),
        explore.neighbours(world.alice, world.kb, typevar, hops=2),
        explore.entity_detail(world.alice, world.kb, typevar),
    ]
    text = repr(shown)
    assert SECRET not in text and world.private_kb not in text
    assert not any(entity_id in text for entity_id in world.private_ids.values())
    # Its owner sees their own TypeVar and secret, and none of the typing KB's.
    own = explore.search_entities(world.bob, world.private_kb, "typevar")
    assert [n.id for n in own] == [world.private_ids[entity_key("TypeVar")]]
    with pytest.raises(PermissionDenied):
        explore.entity_detail(world.bob, world.kb, typevar)


def test_a_kb_admin_of_another_kb_gets_nothing_of_this_one(world):
    for call in _every_call(world, world.kb, _id(world, "TypeVar")):
        with pytest.raises(PermissionDenied):
            call(world.bob)


def test_a_relation_stated_by_several_documents_is_one_row_with_its_count(world):
    store, extra = get_container().graph, "a-second-document"
    names = {"PEP 484": "pep", "TypeVar": "code"}
    chunk = Chunk(id="chunk-of-the-second", document_id=extra, kb_id=world.kb, ordinal=0,
                  text="PEP 484 defines TypeVar.", char_start=0, char_end=24)  # fmt: skip
    store.replace_document(
        world.kb, extra, graph_of(chunk, names, [("PEP 484", "TypeVar", REFERENCES)])
    )
    try:
        detail = explore.entity_detail(world.alice, world.kb, _id(world, "TypeVar"))
    finally:
        store.delete_document(world.kb, extra)
    [references] = [r for r in detail.relations if r.type == REFERENCES]
    assert (references.other_name, references.count, references.weight) == ("PEP 484", 2, 2.0)
