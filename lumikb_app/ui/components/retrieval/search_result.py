"""A search result: one card per document with its best passage (knowledge base, page, section
path, the snippet with the matched words marked as text parts, never HTML, its relevance and why
it matched), and the document's other passages behind "N more passages in this document"; each
passage links to its place in the viewer."""

import reflex as rx

from lumikb_app.state.retrieval.result_groups import DocumentGroup
from lumikb_app.state.retrieval.search import ResultView, SnippetPart
from lumikb_app.ui.components.common import testid

MARK_STYLE = {
    "background": "var(--amber-a5)",
    "color": "inherit",
    "border_radius": "3px",
    "padding": "0 2px",
}
ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}


def snippet_part(part: SnippetPart) -> rx.Component:
    return rx.cond(
        part.mark,
        rx.el.mark(part.text, style=MARK_STYLE, custom_attrs=testid("snippet-mark")),
        rx.el.span(part.text),
    )


def snippet(parts, size: str = "2", lines: int | None = None) -> rx.Component:
    clamp = (
        {"display": "-webkit-box", "-webkit-line-clamp": str(lines), "-webkit-box-orient": "vertical", "overflow": "hidden"}
        if lines
        else {}
    )  # fmt: skip
    return rx.text(
        rx.foreach(parts, snippet_part),
        size=size,
        color=rx.color("gray", 12),
        style={"line_height": "1.6", **clamp},
        custom_attrs=testid("result-snippet"),
    )


RELEVANCE_HINT = (
    "How well this passage answers the search, from its words and its meaning: "
    "the same percentage means as good a match in any search."
)


def _meta(result: ResultView) -> rx.Component:
    return rx.hstack(
        rx.icon("book-open", size=13, color=rx.color("gray", 10), aria_hidden="true"),
        rx.text(result.kb_name, size="1", color=rx.color("gray", 11), custom_attrs=testid("result-kb")),
        rx.cond(
            result.page_label != "",
            rx.badge(result.page_label, size="1", variant="soft", color_scheme="gray", custom_attrs=testid("result-page")),
        ),
        align="center",
        spacing="2",
        flex_wrap="wrap",
    )  # fmt: skip


def section_path(result: ResultView) -> rx.Component:
    """Where in the document the passage is, apart from its text: "Install › Requirements"."""
    return rx.cond(
        result.section != "",
        rx.hstack(
            rx.icon("list-tree", size=13, color=rx.color("gray", 10), min_width="13px", aria_hidden="true"),
            rx.text(
                result.section,
                size="1",
                weight="medium",
                color=rx.color("gray", 11),
                style=ONE_LINE,
                title=result.section,
                custom_attrs=testid("result-section"),
            ),
            align="center",
            spacing="1",
            min_width="0",  # lets the path shorten with an ellipsis beside the relevance badge
            max_width="100%",
        ),
    )  # fmt: skip


def relevance_badge(result: ResultView) -> rx.Component:
    return rx.tooltip(
        rx.badge(
            result.relevance_label,
            size="1",
            variant="soft",
            color_scheme=rx.cond(result.weak, "gray", "green"),
            flex_shrink="0",
            margin_left="auto",  # at the right end of its row
            custom_attrs=testid("result-score"),
        ),
        content=RELEVANCE_HINT,
    )


def _why(result: ResultView) -> rx.Component:
    return rx.hstack(
        rx.icon("sparkles", size=12, color=rx.color("gray", 9), aria_hidden="true"),
        rx.text(result.why, size="1", color=rx.color("gray", 11), custom_attrs=testid("result-why")),
        align="center",
        spacing="1",
    )  # fmt: skip


def _passage_link(result: ResultView, *children: rx.Component, **props) -> rx.Component:
    return rx.link(
        *children,
        href=result.href,
        underline="none",
        width="100%",
        display="block",
        custom_attrs={**testid("search-result"), "data-document-id": result.document_id},
        **props,
    )


def _best(result: ResultView) -> rx.Component:
    return _passage_link(
        result,
        rx.vstack(
            rx.hstack(
                rx.icon("file-text", size=16, color=rx.color("accent", 11), min_width="16px", aria_hidden="true"),
                rx.text(
                    result.document_name,
                    size="3",
                    weight="bold",
                    color=rx.color("gray", 12),
                    style=ONE_LINE,
                    custom_attrs=testid("result-document"),
                ),
                rx.spacer(),
                relevance_badge(result),
                align="center",
                spacing="2",
                width="100%",
            ),
            _meta(result),
            section_path(result),
            snippet(result.parts),
            _why(result),
            spacing="2",
            align="start",
            width="100%",
        ),
    )  # fmt: skip


def _other(result: ResultView) -> rx.Component:
    """One of the document's other passages: where it is, two lines of it, its relevance."""
    return _passage_link(
        result,
        rx.vstack(
            rx.hstack(
                rx.cond(
                    result.page_label != "",
                    rx.badge(result.page_label, size="1", variant="soft", color_scheme="gray", custom_attrs=testid("result-page")),
                ),
                section_path(result),
                relevance_badge(result),
                align="center",
                spacing="2",
                width="100%",
            ),
            snippet(result.parts, lines=2),
            spacing="1",
            align="start",
            width="100%",
        ),
        padding="8px 10px",
        border_radius="var(--radius-3)",
        _hover={"background": rx.color("gray", 3)},
    )  # fmt: skip


def _more(group: DocumentGroup) -> rx.Component:
    return rx.cond(
        group.more_label != "",
        rx.el.details(
            rx.el.summary(
                group.more_label,
                style={"cursor": "pointer", "color": rx.color("accent", 11), "font_size": "var(--font-size-2)"},
                custom_attrs=testid("result-more"),
            ),
            rx.vstack(rx.foreach(group.more, _other), spacing="1", width="100%", padding_top="6px"),
            width="100%",
            custom_attrs=testid("result-more-panel"),
        ),
    )  # fmt: skip


def result_card(group: DocumentGroup) -> rx.Component:
    return rx.card(
        rx.vstack(_best(group.best), _more(group), spacing="3", width="100%"),
        width="100%",
        _hover={"box_shadow": f"0 0 0 1px {rx.color('accent', 8)}"},
        custom_attrs={**testid("search-group"), "data-document-id": group.document_id},
    )
