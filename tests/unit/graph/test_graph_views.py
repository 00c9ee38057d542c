"""What the graph page draws from the exploration answers: colours by community, one line per
pair, and expansions that add only what is new, within the drawing's cap."""

from __future__ import annotations

import pytest

from lumikb_app.services.graph.explore import GraphEdge, GraphNode, GraphView
from lumikb_app.state.graph import graph_views as views

pytestmark = pytest.mark.unit


def _node(entity_id: str, community: int | None = 0, mentions: int = 1) -> GraphNode:
    return GraphNode(entity_id, entity_id.upper(), "term", community, mentions)


def test_a_node_is_coloured_by_its_community_and_grows_with_its_mentions():
    small, big, loner = (
        views.node_view(_node("a", 0, 1)),
        views.node_view(_node("b", 0, 400)),
        views.node_view(_node("c", None)),
    )
    assert small.color == big.color == views.PALETTE[0]
    assert views.node_view(_node("d", 1)).color != small.color
    assert (loner.color, loner.community) == (views.NO_COMMUNITY, -1)
    assert small.val < big.val <= 9  # capped, so one very common entity cannot hide the rest


def test_expanding_adds_only_new_nodes_and_lines():
    nodes = [views.node_view(_node("a")), views.node_view(_node("b"))]
    links = [views.link_view(GraphEdge("a", "b", "CO_OCCURS", 1.0))]
    around_b = GraphView(
        nodes=(_node("b"), _node("c")),
        edges=(GraphEdge("a", "b", "CO_OCCURS", 1.0), GraphEdge("b", "c", "REFERENCES", 2.0)),
    )
    drawn, lines = views.merged(nodes, links, around_b)
    assert [n.id for n in drawn] == ["a", "b", "c"]
    assert [(link.source, link.target) for link in lines] == [("a", "b"), ("b", "c")]


def test_expanding_never_draws_more_than_the_cap(monkeypatch):
    monkeypatch.setattr(views, "MAX_DRAWN", 3)
    nodes = [views.node_view(_node("a")), views.node_view(_node("b"))]
    many = GraphView(
        nodes=tuple(_node(x) for x in "bcde"),
        edges=(GraphEdge("b", "e", "CO_OCCURS", 1.0), GraphEdge("b", "c", "CO_OCCURS", 1.0)),
    )
    drawn, lines = views.merged(nodes, [], many)
    assert [n.id for n in drawn] == ["a", "b", "c"]
    assert [(link.source, link.target) for link in lines] == [
        ("b", "c")
    ]  # never to an undrawn node


def test_the_component_gets_plain_nodes_and_links():
    data = views.graph_data(
        [views.node_view(_node("a"))], [views.link_view(GraphEdge("a", "b", "X", 1.0))]
    )
    assert data["nodes"][0]["id"] == "a" and data["nodes"][0]["name"] == "A"
    assert data["links"] == [{"source": "a", "target": "b", "type": "X"}]
