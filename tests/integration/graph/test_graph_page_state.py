"""The graph page's state, its handlers called as a browser would send them (past the event
guard, with the session cookie of the person): what the page holds for a reader, for the KB's
admin, while the graph is extracted or has failed, when it is off, and for someone without a
grant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lumikb_app.container import get_container
from lumikb_app.db.tables import GraphExtraction, KnowledgeBase, User
from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.accounts import auth
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.state.graph.graph import GraphState
from lumikb_app.state.shell import NOT_FOUND_MESSAGE
from tests.integration.graph.explore_world import PASSWORD, ExploreWorld, deployment
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[ExploreWorld]:
    yield from deployment(tmp_path_factory)


def _page(user: User, kb_id: str, **values) -> GraphState:
    token = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    root = signed_in_state(GraphState.get_root_state(), token, "/graph", kb=kb_id)
    state = root.get_substate(GraphState.get_full_name().split("."))
    state.kb_id = kb_id
    for name, value in values.items():
        setattr(state, name, value)
    return state


async def _refreshed(user: User, kb_id: str) -> GraphState:
    state = _page(user, kb_id)
    await GraphState.refresh.fn(state)
    return state


def _set_mode(kb_id: str, mode: str) -> None:
    """Written directly: through the service, turning it on would extract the documents."""
    with get_container().db.session() as session:
        kb = session.get_one(KnowledgeBase, kb_id)
        kb.settings = {**kb.settings, "graph_mode": mode}
        session.add(kb)
        session.commit()


def _stage(world: ExploreWorld, state: str, **fields) -> None:
    with get_container().db.session() as session:
        row = session.get(GraphExtraction, world.doc) or GraphExtraction(
            document_id=world.doc, kb_id=world.kb, mode="fast"
        )
        row.state = state
        for name, value in fields.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


async def test_a_reader_sees_the_top_entities_coloured_by_community(world):
    _set_mode(world.kb, "fast")
    _stage(world, "ready", chunks_total=1, chunks_done=1)
    page = await _refreshed(world.alice, world.kb)
    assert (page.kb_name, page.graph_mode, page.error) == ("Typing notes", "fast", "")
    assert {"TypeVar", "PEP 484"} <= {n.name for n in page.nodes}
    colours = {n.name: n.color for n in page.nodes}
    assert colours["TypeVar"] == colours["PEP 484"] != colours["asyncio"]
    assert [c.title for c in page.communities] == ["Type hints", "People and runtimes"]
    assert page.graph_data["links"] and not page.extracting and not page.failed_label
    assert not page.can_manage  # a reader gets no settings link; the KB's admin does
    assert (await _refreshed(world.ada, world.kb)).can_manage


async def test_clicking_an_entity_opens_its_panel_and_draws_its_neighbours(world):
    page = _page(world.alice, world.kb, nodes=[])
    typevar = world.ids[entity_key("TypeVar")]
    for event in GraphState.select_entity.fn(page, typevar):
        await event.fn(page)
    assert page.detail_name == "TypeVar" and page.detail_community == "Type hints"
    assert {r.other_name for r in page.relations} == {"PEP 484", "Guido van Rossum"}
    assert [p.document_name for p in page.passages] == ["pep-484-notes.md"]
    assert page.passages[0].href.startswith(f"/view/{world.doc}?chunk=")
    assert {n.name for n in page.nodes} == {"TypeVar", "PEP 484", "Guido van Rossum"}
    await GraphState.expand_two_hops.fn(page)
    assert "asyncio" in {n.name for n in page.nodes}


async def test_the_search_box_lists_matching_entities(world):
    page = _page(world.alice, world.kb, query="guido")
    await GraphState.run_search.fn(page)
    assert [n.name for n in page.results] == ["Guido van Rossum"]


async def test_extracting_and_failed_graphs_say_so(world):
    _set_mode(world.kb, "fast")
    _stage(world, "extracting", chunks_total=10, chunks_done=4)
    page = await _refreshed(world.alice, world.kb)
    assert page.extracting and page.extract_progress == 40
    assert "1 document" in page.extract_label
    _stage(world, "failed", error="the model answered nonsense")
    page = await _refreshed(world.alice, world.kb)
    assert not page.extracting
    assert "failed for 1 document" in page.failed_label
    assert "the model answered nonsense" in page.failed_label
    _stage(world, "ready", error=None)


async def test_a_kb_whose_graph_is_off_and_empty_says_so(world):
    empty = kbs.create_kb(world.ada, "No graph here").id
    page = await _refreshed(world.ada, empty)
    assert (page.graph_mode, page.entity_count, page.nodes, page.error) == ("off", 0, [], "")
    assert page.loaded and page.can_manage


async def test_someone_without_a_grant_gets_nothing_into_the_page(world):
    page = await _refreshed(world.carol, world.kb)
    assert page.error == NOT_FOUND_MESSAGE
    assert (page.kb_name, page.nodes, page.communities, page.types) == ("", [], [], [])
    typevar = world.ids[entity_key("TypeVar")]
    page = _page(world.carol, world.kb, selected_id=typevar, query="TypeVar")
    await GraphState.load_detail.fn(page)
    await GraphState.expand_selected.fn(page)
    await GraphState.run_search.fn(page)
    assert (page.detail_name, page.relations, page.passages) == ("", [], [])
    assert (page.nodes, page.results) == ([], [])


async def test_the_type_and_community_filters_redraw_only_their_entities(world):
    page = await _refreshed(world.alice, world.kb)
    assert GraphState.set_type_filter.fn(page, "person") is GraphState.refresh
    await GraphState.refresh.fn(page)
    assert [n.name for n in page.nodes] == ["Guido van Rossum"]
    GraphState.set_type_filter.fn(page, "no such type")  # not offered: back to every type
    GraphState.set_community_filter.fn(page, "0")
    await GraphState.refresh.fn(page)
    assert page.type_filter == "all"
    assert {n.name for n in page.nodes} == {"PEP 484", "TypeVar"}
