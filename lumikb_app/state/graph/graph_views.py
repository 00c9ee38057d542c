"""What the graph page draws and lists, made from the exploration service's answers: nodes with
their colour (by community) and size (by mentions), one line per related pair, the legend, and
the clicked entity's panel. Plain dataclasses, so Reflex sends them to the browser as objects."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from lumikb_app.domain.retrieval import page_label
from lumikb_app.services.graph import explore

# Community colours (distinct on a white page, and readable as legend swatches); entities
# without a community are grey.
PALETTE = (
    "#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2",
    "#c026d3", "#65a30d", "#b45309", "#4f46e5", "#db2777", "#0d9488",
)  # fmt: skip
NO_COMMUNITY = "#94a3b8"
MAX_DRAWN = 3000  # nodes kept on the canvas as neighbourhoods are expanded


def community_colour(community: int | None) -> str:
    return NO_COMMUNITY if community is None else PALETTE[community % len(PALETTE)]


@dataclass
class NodeView:
    id: str
    name: str
    type: str
    community: int  # -1: none
    mentions: int
    color: str
    val: float  # the drawn area grows with the mentions


@dataclass
class LinkView:
    source: str
    target: str
    type: str
    weight: float


@dataclass
class CommunityView:
    number: str  # as text: the filter select's value
    title: str
    summary: str
    size: int
    color: str


@dataclass
class RelationView:
    other_id: str
    other_name: str
    label: str  # "REFERENCES →" or "← CO_OCCURS"
    evidence: str


@dataclass
class PassageView:
    chunk_id: str
    document_name: str
    page_label: str
    before: str
    mention: str
    after: str
    href: str


def node_view(node: explore.GraphNode) -> NodeView:
    community = -1 if node.community is None else node.community
    val = 1 + min(math.log2(1 + node.mentions), 8)
    return NodeView(
        node.id,
        node.name,
        node.type,
        community,
        node.mentions,
        community_colour(node.community),
        val,
    )


def link_view(edge: explore.GraphEdge) -> LinkView:
    return LinkView(edge.source, edge.target, edge.type, edge.weight)


def community_view(info: explore.CommunityInfo) -> CommunityView:
    title = info.title or f"Community {info.number + 1}"
    return CommunityView(
        str(info.number), title, info.summary, info.size, community_colour(info.number)
    )


def relation_view(relation: explore.EntityRelation) -> RelationView:
    times = f" ×{relation.count}" if relation.count > 1 else ""
    label = f"{relation.type}{times} →" if relation.outgoing else f"← {relation.type}{times}"
    return RelationView(relation.other_id, relation.other_name, label, relation.evidence)


def passage_view(passage: explore.EntityPassage) -> PassageView:
    return PassageView(
        passage.chunk_id,
        passage.document_name,
        page_label(passage.page),
        passage.before,
        passage.mention,
        passage.after,
        passage.href,
    )


def merged(
    nodes: list[NodeView], links: list[LinkView], view: explore.GraphView
) -> tuple[list[NodeView], list[LinkView]]:
    """The drawn graph with a neighbourhood added: new nodes and lines appended, none twice,
    at most MAX_DRAWN nodes (lines only between drawn nodes)."""
    known = {n.id for n in nodes}
    added = [node_view(n) for n in view.nodes if n.id not in known]
    all_nodes = nodes + added[: max(MAX_DRAWN - len(nodes), 0)]
    drawn = {n.id for n in all_nodes}
    pairs = {_pair(link.source, link.target) for link in links}
    new_links = [
        link_view(e)
        for e in view.edges
        if _pair(e.source, e.target) not in pairs and e.source in drawn and e.target in drawn
    ]
    return all_nodes, links + new_links


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def graph_data(nodes: Iterable[NodeView], links: Iterable[LinkView]) -> dict[str, list[dict]]:
    """The force-graph component's `graphData`."""
    return {
        "nodes": [
            {"id": n.id, "name": n.name, "type": n.type, "color": n.color, "val": n.val}
            for n in nodes
        ],
        "links": [
            {"source": link.source, "target": link.target, "type": link.type} for link in links
        ],
    }
