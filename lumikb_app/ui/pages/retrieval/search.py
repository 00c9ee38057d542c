"""The search page: passages across every knowledge base the user can read."""

import reflex as rx

from lumikb_app.state.retrieval.search import ALL, DOC_TYPE_OPTIONS, GRAPH_OPTIONS, SearchState
from lumikb_app.state.shell import ShellState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.kb_picker import KbPickerIds, kb_picker
from lumikb_app.ui.components.retrieval.quick_search import kbd
from lumikb_app.ui.components.retrieval.search_result import result_card
from lumikb_app.ui.components.shell import page_header, shell

MUTED = rx.color("gray", 11)


def _kb_filter() -> rx.Component:
    """Several knowledge bases at once: a checkbox per KB the user may read."""
    return kb_picker(
        kbs=ShellState.kbs,
        chosen=SearchState.kb_filter,
        label=SearchState.kb_filter_label,
        on_pick=SearchState.set_kb_checked,
        on_all=lambda checked: SearchState.clear_kb_filter(),
        ids=KbPickerIds(
            trigger="search-kb-filter",
            menu="search-kb-options",
            all="search-kb-all",
            option="search-kb-option",
        ),
    )


def _filters() -> rx.Component:
    return rx.flex(
        _kb_filter(),
        rx.select.root(
            rx.select.trigger(width="200px", aria_label="Document type", custom_attrs=testid("search-type-filter")),
            rx.select.content(
                rx.select.item("All document types", value=ALL),
                *[rx.select.item(label, value=key) for key, label in DOC_TYPE_OPTIONS],
            ),
            value=SearchState.type_filter,
            on_change=SearchState.set_type_filter,
        ),
        rx.select.root(
            rx.select.trigger(width="170px", aria_label="Knowledge graph", custom_attrs=testid("search-graph-filter")),
            rx.select.content(
                *[rx.select.item(label, value=key) for key, label in GRAPH_OPTIONS],
            ),
            value=SearchState.graph_filter,
            on_change=SearchState.set_graph_filter,
        ),
        rx.spacer(),
        rx.cond(
            SearchState.searching,
            rx.hstack(
                rx.spinner(size="1"),
                rx.text("Searching…", size="2", color=MUTED),
                align="center",
                spacing="2",
                custom_attrs=testid("search-loading"),
            ),
            rx.text(SearchState.took_label, size="2", color=MUTED, custom_attrs=testid("search-took")),
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )  # fmt: skip


def _search_box() -> rx.Component:
    return rx.form(
        rx.input(
            rx.input.slot(rx.icon("search", size=18)),
            name="q",
            aria_label="Search",
            value=SearchState.query,
            on_change=SearchState.set_query,
            debounce_timeout=300,
            placeholder="Search for a word, a phrase or a question…",
            size="3",
            width="100%",
            auto_focus=True,
            custom_attrs=testid("search-input"),
        ),
        on_submit=SearchState.submit,
        width="100%",
    )


def _hint() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("text-search", size=28, color=rx.color("accent", 10)),
            rx.heading("Search your knowledge bases", size="4"),
            rx.text(
                "Words and meaning both count: type a phrase such as \u201crelease checklist\u201d "
                "or a question such as \u201cwho approves a production deploy?\u201d. Results "
                "link to the exact page of the document.",
                size="2",
                color=MUTED,
                align="center",
                max_width="480px",
            ),
            rx.hstack(
                rx.text("Tip: press", size="1", color=rx.color("gray", 10)),
                kbd("Ctrl K"),
                rx.text("anywhere to search quickly.", size="1", color=rx.color("gray", 10)),
                align="center",
                spacing="1",
            ),
            align="center",
            spacing="3",
            padding="32px 24px",
        ),
        width="100%",
        custom_attrs=testid("search-empty-query"),
    )


def _no_results() -> rx.Component:
    return rx.callout(
        "No passages match \u201c" + SearchState.searched_query + "\u201d in the knowledge bases "
        "you can read. Try other words, or clear the filters.",
        icon="search-x",
        color_scheme="gray",
        custom_attrs=testid("search-no-results"),
    )


def _error() -> rx.Component:
    return outcome(SearchState.error, error=True, name="search-error")


def _results() -> rx.Component:
    return rx.cond(
        SearchState.error != "",
        _error(),
        rx.cond(
            SearchState.searched_query == "",
            rx.cond(SearchState.query.strip() == "", _hint(), rx.fragment()),
            rx.cond(
                SearchState.groups.length() > 0,
                rx.vstack(
                    rx.foreach(SearchState.groups, result_card),
                    spacing="3",
                    width="100%",
                    custom_attrs=testid("search-results"),
                ),
                _no_results(),
            ),
        ),
    )


def search_page() -> rx.Component:
    return shell(
        page_header(
            "Search", "Find passages across every knowledge base you can read.", icon="search"
        ),
        rx.vstack(_search_box(), _filters(), _results(), spacing="4", width="100%"),
    )
