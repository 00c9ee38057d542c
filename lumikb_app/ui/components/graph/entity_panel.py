"""The clicked entity's panel: its name, type, community, description and aliases, the entities
it is related to (each opens in turn), and the passages that mention it (each opens the viewer
at the passage)."""

import reflex as rx

from lumikb_app.state.graph.graph import GraphState
from lumikb_app.state.graph.graph_views import PassageView, RelationView
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.retrieval.search_result import MARK_STYLE

MUTED = rx.color("gray", 11)


def _relation(relation: RelationView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(relation.label, size="1", color=MUTED, white_space="nowrap"),
            rx.link(
                relation.other_name,
                size="2",
                weight="medium",
                on_click=GraphState.select_entity(relation.other_id),
                cursor="pointer",
                custom_attrs=testid("graph-relation-link"),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            relation.evidence != "",
            rx.text("\u201c", relation.evidence, "\u201d", size="1", color=MUTED),
        ),
        width="100%",
        padding_y="4px",
        custom_attrs=testid("graph-relation"),
    )


def _passage(passage: PassageView) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("file-text", size=14, color=rx.color("accent", 11), min_width="14px"),
                    rx.text(passage.document_name, size="2", weight="medium", trim="both"),
                    rx.cond(
                        passage.page_label != "",
                        rx.badge(passage.page_label, size="1", variant="soft", color_scheme="gray"),
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(
                    passage.before,
                    rx.el.mark(passage.mention, style=MARK_STYLE),
                    passage.after,
                    size="1",
                    color=rx.color("gray", 12),
                    style={"line_height": "1.55", "word_break": "break-word"},
                ),
                spacing="1",
                width="100%",
            ),
            size="1",
            width="100%",
        ),
        href=passage.href,
        underline="none",
        width="100%",
        custom_attrs=testid("graph-passage"),
    )


def _section(title: str, count, *children) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(title, size="1", weight="bold", color=MUTED, text_transform="uppercase"),
            rx.badge(count, size="1", variant="soft", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        *children,
        spacing="1",
        width="100%",
    )


def _header() -> rx.Component:
    return rx.hstack(
        rx.box(
            width="12px", height="12px", border_radius="50%", background=GraphState.detail_color,
            flex_shrink="0",
        ),
        rx.heading(
            GraphState.detail_name, size="4", style={"word_break": "break-word"},
            custom_attrs=testid("graph-entity-name"),
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("x", size=16), variant="ghost", color_scheme="gray", size="1",
            on_click=GraphState.clear_selection, aria_label="Close",
        ),
        align="center",
        spacing="2",
        width="100%",
    )  # fmt: skip


def _facts() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.cond(GraphState.detail_type != "", rx.badge(GraphState.detail_type, variant="soft")),
            rx.cond(
                GraphState.detail_community != "",
                rx.badge(GraphState.detail_community, variant="outline", color_scheme="gray",
                         custom_attrs=testid("graph-entity-community")),
            ),
            rx.text(GraphState.detail_mentions, " mentions", size="1", color=MUTED),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            GraphState.detail_description != "",
            rx.text(GraphState.detail_description, size="2",
                    custom_attrs=testid("graph-entity-description")),
        ),
        rx.cond(
            GraphState.detail_aliases != "",
            rx.text("Also: ", GraphState.detail_aliases, size="1", color=MUTED,
                    custom_attrs=testid("graph-entity-aliases")),
        ),
        rx.button(
            rx.icon("git-fork", size=14), "Show two hops around it",
            size="1", variant="soft", on_click=GraphState.expand_more,
            custom_attrs=testid("graph-expand"),
        ),
        spacing="2",
        width="100%",
    )  # fmt: skip


def entity_panel() -> rx.Component:
    return rx.card(
        rx.cond(
            GraphState.detail_name != "",
            rx.vstack(
                _header(),
                _facts(),
                _section(
                    "Related", GraphState.relations.length(),
                    rx.foreach(GraphState.relations, _relation),
                ),
                _section(
                    "Mentioned in", GraphState.passages.length(),
                    rx.foreach(GraphState.passages, _passage),
                ),
                spacing="4",
                width="100%",
            ),
            rx.center(rx.spinner(size="2"), width="100%", padding="24px"),
        ),
        width="100%",
        custom_attrs=testid("graph-entity-panel"),
    )  # fmt: skip
