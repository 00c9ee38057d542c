"""Permission-matrix recipes for exploring a KB's graph (services/graph/explore.py and the REST
graph routes): the world's KB gets one entity, written once through the graph store as the
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
from tests.integration.accounts.access_world import World

WORD = "ledger"  # the world's handbook says it; the entity is named after it


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
        graph = DocumentGraph(entities=[EntityDraft(WORD, "Ledger", "term")], mentions=[mention])
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
