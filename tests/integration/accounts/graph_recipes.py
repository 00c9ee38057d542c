"""Permission-matrix recipes for exploring a KB's graph (services/graph/explore.py and the REST
graph routes): the world's KB gets one entity (named SECRET, so a listing that holds it shows the KB), written once through the graph store as the
extraction job would write it, so every role's call has something to find."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk
from lumikb_app.domain.graph import DocumentGraph, EntityDraft, MentionDraft
from lumikb_app.services.graph import explore
from tests.integration.accounts.access_levels import Role
from tests.integration.accounts.access_world import SECRET, World

WORD = SECRET.lower()  # the entity's key: the word only the world's handbook holds


def graph_entity(w: World) -> str:
    """The id of the world KB's entity (made on first use)."""
    store = get_container().graph
    found = store.entities_by_keys([w.kb], [WORD])
    if not found:
        with get_container().db.session() as session:
            chunk = session.exec(select(Chunk).where(Chunk.document_id == w.doc)).first()
            assert chunk is not None
            start = chunk.text.lower().index(WORD)
            mention = MentionDraft(WORD, chunk.id, start, start + len(WORD))
        graph = DocumentGraph(entities=[EntityDraft(WORD, SECRET, "term")], mentions=[mention])
        store.replace_document(w.kb, w.doc, graph)
        found = store.entities_by_keys([w.kb], [WORD])
    return found[0].id


def _entities_path(w: World, tail: str = "") -> str:
    return f"/api/v1/kbs/{w.kb}/graph/entities{tail}"


SERVICE_CALLS = {
    "graph.explore.overview": lambda w, u: explore.overview(u, w.kb),
    "graph.explore.search_entities": lambda w, u: explore.search_entities(u, w.kb, WORD),
    "graph.explore.neighbours": lambda w, u: explore.neighbours(u, w.kb, graph_entity(w)),
    "graph.explore.entity_detail": lambda w, u: explore.entity_detail(u, w.kb, graph_entity(w)),
}


def _get(path) -> object:
    def recipe(w: World, role: Role) -> httpx.Response:
        return w.request(role, "GET", path(w))

    return recipe


ROUTE_CALLS = {
    "GET /api/v1/kbs/{kb_id}/graph/entities": _get(
        lambda w: _entities_path(w, f"?q={quote(WORD)}")
    ),
    "GET /api/v1/kbs/{kb_id}/graph/entities/{entity_id}": _get(
        lambda w: _entities_path(w, f"/{graph_entity(w)}")
    ),
    "GET /api/v1/kbs/{kb_id}/graph/entities/{entity_id}/neighbours": _get(
        lambda w: _entities_path(w, f"/{graph_entity(w)}/neighbours")
    ),
}


# -- the graph page's handlers, run as each role's browser (straight past the event guard) ----


def _graph_state(w: World, role: Role, **values: str):
    from lumikb_app.state.graph.graph import GraphState
    from tests.reflex_states import signed_in_state

    root = signed_in_state(GraphState.get_root_state(), w.sessions.get(role, ""), "/graph", kb=w.kb)
    state = root.get_substate(GraphState.get_full_name().split("."))
    for name, value in values.items():
        setattr(state, name, value)
    return state


async def _refresh(w: World, role: Role) -> object:
    state = _graph_state(w, role, kb_id=w.kb)
    await type(state).refresh.fn(state)
    return (state.kb_name, state.nodes, state.communities, state.types)


async def _detail(w: World, role: Role) -> object:
    state = _graph_state(w, role, kb_id=w.kb, selected_id=graph_entity(w))
    await type(state).load_detail.fn(state)
    return (state.detail_name, state.relations, state.passages)


async def _search(w: World, role: Role) -> object:
    state = _graph_state(w, role, kb_id=w.kb, query=WORD)
    await type(state).run_search.fn(state)
    return state.results


async def _expand(w: World, role: Role) -> object:
    state = _graph_state(w, role, kb_id=w.kb, selected_id=graph_entity(w))
    await type(state).expand_selected.fn(state)
    return state.nodes


HANDLER_LOADS = {
    "GraphState.refresh": _refresh,
    "GraphState.load_detail": _detail,
    "GraphState.run_search": _search,
    "GraphState.expand_selected": _expand,
}
