"""A search result: document, knowledge base, page, the snippet with the matched words marked
(text parts, never HTML), the score and why it matched; a link to the passage in the viewer."""

import reflex as rx

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


def _meta(result: ResultView) -> rx.Component:
    return rx.hstack(
        rx.icon("book-open", size=13, color=rx.color("gray", 10)),
        rx.text(result.kb_name, size="1", color=rx.color("gray", 11), custom_attrs=testid("result-kb")),
        rx.cond(
            result.page_label != "",
            rx.badge(result.page_label, size="1", variant="soft", color_scheme="gray", custom_attrs=testid("result-page")),
        ),
        align="center",
        spacing="2",
    )  # fmt: skip


def result_card(result: ResultView) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("file-text", size=16, color=rx.color("accent", 11), min_width="16px"),
                    rx.text(
                        result.document_name,
                        size="3",
                        weight="bold",
                        color=rx.color("gray", 12),
                        style=ONE_LINE,
                        custom_attrs=testid("result-document"),
                    ),
                    rx.spacer(),
                    rx.tooltip(
                        rx.badge(
                            "score " + result.score_label,
                            size="1",
                            variant="soft",
                            custom_attrs=testid("result-score"),
                        ),
                        content="How well this passage matches the search (higher is better).",
                    ),
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                _meta(result),
                snippet(result.parts),
                rx.hstack(
                    rx.icon("sparkles", size=12, color=rx.color("gray", 9)),
                    rx.text(
                        result.why,
                        size="1",
                        color=rx.color("gray", 10),
                        custom_attrs=testid("result-why"),
                    ),
                    align="center",
                    spacing="1",
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
            width="100%",
            _hover={"box_shadow": f"0 0 0 1px {rx.color('accent', 8)}"},
        ),
        href=result.href,
        underline="none",
        width="100%",
        custom_attrs={**testid("search-result"), "data-document-id": result.document_id},
    )
