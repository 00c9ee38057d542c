"""The graph page: one knowledge base's entities and relations, drawn interactively.

Pick a KB; its most mentioned entities are drawn first, coloured by community. Search an entity
by name, click one to see its panel (and add its neighbours to the drawing), filter by type or
community. Empty, extracting and failed states say what is going on and what to do.
"""

import reflex as rx

from lumikb_app.state.graph.graph import ALL, GraphState
from lumikb_app.state.graph.graph_views import CommunityView, NodeView
from lumikb_app.state.shell import KbSummary, ShellState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.graph.entity_panel import entity_panel
from lumikb_app.ui.components.graph.force_graph import force_graph
from lumikb_app.ui.components.shell import page_header, shell

MUTED = rx.color("gray", 11)
CANVAS_HEIGHT = 560


def _kb_item(kb: KbSummary) -> rx.Component:
    return rx.select.item(kb.name, value=kb.id)


def _kb_picker() -> rx.Component:
    return rx.hstack(
        rx.select.root(
            rx.select.trigger(placeholder="Choose a knowledge base", width="260px",
                              max_width="100%", custom_attrs=testid("graph-kb-select")),
            rx.select.content(rx.foreach(ShellState.kbs, _kb_item)),
            value=GraphState.kb_id,
            on_change=GraphState.choose_kb,
        ),
        rx.cond(GraphState.loading, rx.spinner(size="2", custom_attrs=testid("graph-loading"))),
        rx.spacer(),
        rx.text(GraphState.shown_label, size="2", color=MUTED, custom_attrs=testid("graph-shown")),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )  # fmt: skip


def _result(node: NodeView) -> rx.Component:
    return rx.button(
        rx.box(width="10px", height="10px", border_radius="50%", background=node.color, flex_shrink="0"),
        rx.text(node.name, size="2", trim="both"),
        rx.text(node.type, size="1", color=MUTED),
        variant="ghost",
        color_scheme="gray",
        justify="start",
        width="100%",
        on_click=GraphState.select_entity(node.id),
        custom_attrs=testid("graph-search-result"),
    )  # fmt: skip


def _search() -> rx.Component:
    return rx.box(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            value=GraphState.query,
            on_change=GraphState.set_query,
            debounce_timeout=250,
            placeholder="Find an entity…",
            width="100%",
            custom_attrs=testid("graph-search"),
        ),
        rx.cond(
            GraphState.searched != "",
            rx.card(
                rx.cond(
                    GraphState.results.length() > 0,
                    rx.vstack(rx.foreach(GraphState.results, _result), spacing="1", width="100%"),
                    rx.text("No entity matches \u201c", GraphState.searched, "\u201d.", size="2",
                            color=MUTED, custom_attrs=testid("graph-search-empty")),
                ),
                position="absolute",
                top="calc(100% + 4px)",
                left="0",
                right="0",
                z_index="20",
                max_height="320px",
                overflow_y="auto",
                size="1",
            ),
        ),
        position="relative",
        flex="1 1 240px",
        min_width="0",
    )  # fmt: skip


def _type_item(value: str) -> rx.Component:
    return rx.select.item(value, value=value)


def _community_item(community: CommunityView) -> rx.Component:
    return rx.select.item(community.title, value=community.number)


def _filters() -> rx.Component:
    return rx.hstack(
        _search(),
        rx.select.root(
            rx.select.trigger(
                width="150px", max_width="100%", custom_attrs=testid("graph-type-filter")
            ),
            rx.select.content(
                rx.select.item("All types", value=ALL),
                rx.foreach(GraphState.types, _type_item),
            ),
            value=GraphState.type_filter,
            on_change=GraphState.set_type_filter,
        ),
        rx.select.root(
            rx.select.trigger(
                width="200px", max_width="100%", custom_attrs=testid("graph-community-filter")
            ),
            rx.select.content(
                rx.select.item("All communities", value=ALL),
                rx.foreach(GraphState.communities, _community_item),
            ),
            value=GraphState.community_filter,
            on_change=GraphState.set_community_filter,
        ),
        spacing="2",
        width="100%",
        wrap="wrap",
        align="center",
    )


def _legend_item(community: CommunityView) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", background=community.color, flex_shrink="0"),
        rx.text(community.title, size="1"),
        rx.text(community.size, size="1", color=MUTED),
        align="center",
        spacing="1",
        cursor="pointer",
        title=community.summary,
        on_click=GraphState.set_community_filter(community.number),
        custom_attrs=testid("graph-legend-item"),
    )  # fmt: skip


def _legend() -> rx.Component:
    return rx.cond(
        GraphState.communities.length() > 0,
        rx.flex(
            rx.text("Communities:", size="1", color=MUTED),
            rx.foreach(GraphState.legend, _legend_item),
            rx.text(GraphState.legend_more, size="1", color=MUTED),
            gap="12px",
            wrap="wrap",
            align="center",
            custom_attrs=testid("graph-legend"),
        ),
    )


def _canvas() -> rx.Component:
    return rx.card(
        force_graph(
            graph_data=GraphState.graph_data,
            selected_id=GraphState.selected_id,
            fit_key=GraphState.fit_key,
            height=CANVAS_HEIGHT,
            on_node_click=GraphState.select_entity,
        ),
        padding="0",
        overflow="hidden",
        width="100%",
        custom_attrs=testid("graph-canvas"),
    )


def _explorer() -> rx.Component:
    return rx.vstack(
        _filters(),
        _legend(),
        rx.flex(
            rx.box(_canvas(), flex="1 1 420px", min_width="0"),
            rx.cond(
                GraphState.selected_id != "",
                rx.box(entity_panel(), flex="0 1 340px", min_width="0", width="100%",
                       max_height=f"{CANVAS_HEIGHT + 20}px", overflow_y="auto"),
            ),
            gap="12px",
            width="100%",
            wrap="wrap",
            align="start",
        ),
        rx.text("Click an entity to see what the documents say about it and draw its neighbours; "
                "scroll to zoom, drag to move.", size="1", color=MUTED),
        spacing="3",
        width="100%",
    )  # fmt: skip


def _notice(icon: str, text, name: str, color: str = "gray", *extra) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon(icon, size=16)),
        rx.callout.text(text, *extra),
        color_scheme=color,
        width="100%",
        custom_attrs=testid(name),
    )


def _settings_link() -> rx.Component:
    return rx.cond(
        GraphState.can_manage,
        rx.link(" Open KB settings", href=GraphState.settings_href, custom_attrs=testid("graph-settings-link")),
        rx.text.span(" Ask an admin of this knowledge base to turn it on."),
    )  # fmt: skip


def _states() -> rx.Component:
    empty = GraphState.loaded & (GraphState.entity_count == 0)
    return rx.fragment(
        rx.cond(GraphState.error != "", _notice("circle-alert", GraphState.error, "graph-error", "red")),
        rx.cond(
            GraphState.extracting,
            rx.callout.root(
                rx.callout.icon(rx.icon("loader", size=16)),
                rx.vstack(
                    rx.text(GraphState.extract_label, size="2"),
                    rx.progress(value=GraphState.extract_progress, width="100%"),
                    spacing="2",
                    width="100%",
                ),
                color_scheme="blue",
                width="100%",
                custom_attrs=testid("graph-extracting"),
            ),
        ),
        rx.cond(GraphState.failed_label != "",
                _notice("triangle-alert", GraphState.failed_label, "graph-failed", "amber")),
        rx.cond(
            empty & (GraphState.graph_mode == "off"),
            _notice("power-off", "The knowledge graph is off for this knowledge base: turn it on in KB settings.",
                    "graph-off", "gray", _settings_link()),
        ),
        rx.cond(
            empty & (GraphState.graph_mode != "off") & ~GraphState.extracting,
            _notice("waypoints", "No entities yet: the graph fills in as documents are indexed and "
                    "extracted. Upload documents to this knowledge base to see them here.", "graph-empty"),
        ),
    )  # fmt: skip


def _no_kbs() -> rx.Component:
    return _notice(
        "book-open",
        "You have no knowledge bases yet. Create one, or ask to be added to one, to see its graph.",
        "graph-no-kbs",
    )


def graph_page() -> rx.Component:
    return shell(
        page_header("Graph", "Explore the people, systems and ideas your documents mention.", icon="waypoints"),
        rx.cond(
            ShellState.has_kbs,
            rx.vstack(
                _kb_picker(),
                _states(),
                rx.cond(GraphState.nodes.length() > 0, _explorer()),
                spacing="3",
                width="100%",
                overflow_wrap="anywhere",  # a narrow pane breaks long words, never overflows
            ),
            _no_kbs(),
        ),
    )  # fmt: skip
