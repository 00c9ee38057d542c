"""The numbered sources of an answer: document, knowledge base, page and score, each a link to
the viewer. Sources the answer cites come first; the others were retrieved but not used."""

import reflex as rx

from lumikb_app.state.chat.chat_view import MessageView, SourceView
from lumikb_app.ui.components.common import testid

# One line with an ellipsis (rx.text has no truncate prop in Reflex 0.10).
ONE_LINE = {
    "white_space": "nowrap",
    "overflow": "hidden",
    "text_overflow": "ellipsis",
    "max_width": "100%",
}


def _number(source: SourceView) -> rx.Component:
    return rx.center(
        rx.text(source.n, size="1", weight="bold"),
        min_width="20px",
        height="20px",
        border_radius="10px",
        background=rx.cond(source.cited, rx.color("accent", 4), rx.color("gray", 4)),
        color=rx.cond(source.cited, rx.color("accent", 11), rx.color("gray", 11)),
    )


def source_row(source: SourceView) -> rx.Component:
    return rx.link(
        rx.hstack(
            _number(source),
            rx.icon("file-text", size=15, color=rx.color("gray", 11), min_width="15px"),
            rx.text(
                source.document_name,
                size="2",
                weight="medium",
                color=rx.color("gray", 12),
                style={**ONE_LINE, "max_width": "55%", "flex_shrink": "0"},
            ),
            rx.text(
                source.where,
                size="1",
                color=rx.color("gray", 11),
                flex="1",
                min_width="0",
                style=ONE_LINE,
            ),
            rx.tooltip(
                rx.badge(
                    source.score_label,
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    custom_attrs=testid("source-score"),
                ),
                content="How well this passage matched the question (higher is better).",
            ),
            rx.icon("arrow-up-right", size=14, color=rx.color("gray", 11), min_width="14px"),
            align="center",
            spacing="2",
            padding="5px 8px",
            border_radius="8px",
            opacity=rx.cond(source.cited, "1", "0.7"),
            _hover={"background": rx.color("gray", 3)},
            width="100%",
        ),
        href=source.href,
        underline="none",
        width="100%",
        title=source.passage,
        custom_attrs={
            **testid("source"),
            "data-n": source.n,
            "data-cited": rx.cond(source.cited, "true", "false"),
        },
    )


def _grid(sources) -> rx.Component:
    return rx.grid(
        rx.foreach(sources, source_row),
        grid_template_columns="minmax(0, 1fr)",
        spacing="1",
        width="100%",
    )


def _others(message: MessageView) -> rx.Component:
    """Retrieved but not cited: folded away (a native <details>, no state needed)."""
    count = message.other_sources.length()
    return rx.cond(
        count > 0,
        rx.el.details(
            rx.el.summary(
                rx.text.span(
                    rx.cond(
                        message.cited_sources.length() > 0,
                        count.to_string()
                        + rx.cond(count == 1, " more passage", " more passages")
                        + " retrieved, not cited",
                        count.to_string()
                        + rx.cond(count == 1, " passage", " passages")
                        + " retrieved, none cited",
                    ),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                cursor="pointer",
                padding="4px 8px",
                custom_attrs=testid("sources-more"),
            ),
            _grid(message.other_sources),
        ),
    )


def sources_panel(message: MessageView) -> rx.Component:
    total = message.cited_sources.length() + message.other_sources.length()
    return rx.cond(
        total > 0,
        rx.box(
            rx.hstack(
                rx.icon("library", size=14, color=rx.color("gray", 11)),
                rx.text("Sources", size="1", weight="bold", color=rx.color("gray", 11)),
                rx.badge(
                    message.cited_sources.length().to_string() + " cited",
                    size="1",
                    variant="soft",
                    color_scheme=rx.cond(message.cited_sources.length() > 0, "indigo", "gray"),
                ),
                align="center",
                spacing="2",
                padding="2px 8px 4px",
            ),
            _grid(message.cited_sources),
            _others(message),
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="10px",
            padding="6px",
            background=rx.color("gray", 1),
            width="100%",
            custom_attrs=testid("sources-panel"),
        ),
    )
