"""Communities on every graph store (SQLite, PostgreSQL, FalkorDB): the same two clusters give
the same two communities, numbered and titled alike, written on the store's entities."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container
from lumikb_app.db.tables import KnowledgeBase
from lumikb_app.services.graph import communities
from lumikb_app.services.platform.transactions import transaction
from tests.graph_clusters import ASYNC, TYPING, cluster, two_clusters


@pytest.fixture
def kb_on(graph, kb, migrated):
    """The KB's row in the deployment's database; its graph in the store under test."""
    get_container().__dict__["graph"] = graph  # the cached property, set to the store
    with transaction() as session:
        session.add(KnowledgeBase(id=kb, name="Communities", settings={"graph_mode": "fast"}))
    two_clusters(graph, kb)
    return kb


def test_two_clusters_are_the_same_two_communities_on_every_store(graph, kb_on, other_kb):
    graph.replace_document(other_kb, "other-doc", cluster("other-doc", ASYNC))
    assert communities.recompute(kb_on) == 2
    found: dict[int | None, set[str]] = {}
    for entity in graph.find_entities([kb_on], "", limit=50):
        found.setdefault(entity.community, set()).add(entity.name)
    assert found == {0: set(TYPING), 1: set(ASYNC)}
    assert [(c.number, c.title, c.size) for c in communities.communities_of(kb_on)] == [
        (0, "PEP 484, TypeVar, typing", 4),
        (1, "asyncio, PEP 3156, event loop", 4),
    ]
    assert communities.communities_of(kb_on)[0].summary.endswith('"pep 484 goes with typevar."')
    assert {e.community for e in graph.find_entities([other_kb], "", limit=50)} == {None}
    assert graph.stats(kb_on).communities == 2
