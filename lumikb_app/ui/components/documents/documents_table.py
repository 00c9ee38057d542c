"""The documents of a KB: filters, the live table (status, progress, ETA), row actions."""

import reflex as rx

from lumikb_app.state.documents.documents import DocumentRow, DocumentsState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.confirm_dialog import confirm_action_dialog, confirm_delete_dialog
from lumikb_app.ui.components.documents.bulk_bar import bulk_bar
from lumikb_app.ui.components.documents.detail_panel import detail_dialog
from lumikb_app.ui.components.documents.upload_panel import upload_section

MUTED = rx.color("gray", 11)
STATUS_OPTIONS = (
    ("all", "All statuses"),
    ("queued", "Queued"),
    ("parsing", "Parsing"),
    ("chunking", "Chunking"),
    ("embedding", "Embedding"),
    ("indexing", "Indexing"),
    ("ready", "Ready"),
    ("failed", "Failed"),
)
SORT_OPTIONS = (
    ("uploaded", "Recently uploaded"),
    ("updated", "Recently updated"),
    ("name", "Name"),
    ("size", "Largest first"),
    ("status", "Status"),
)


def _select(value, options, on_change, name: str, width: str, label: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width=width, aria_label=label, custom_attrs=testid(name)),
        rx.select.content(*[rx.select.item(label, value=key) for key, label in options]),
        value=value,
        on_change=on_change,
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder="Filter by name",
            value=DocumentsState.query,
            on_change=DocumentsState.set_query.debounce(250),
            aria_label="Filter documents by name",
            width="240px",
            custom_attrs=testid("doc-search"),
        ),
        _select(
            DocumentsState.status_filter,
            STATUS_OPTIONS,
            DocumentsState.set_status_filter,
            "doc-status-filter",
            "150px",
            "Show documents with this status",
        ),
        _select(
            DocumentsState.sort,
            SORT_OPTIONS,
            DocumentsState.set_sort,
            "doc-sort",
            "170px",
            "Sort documents by",
        ),
        rx.spacer(),
        rx.text(DocumentsState.document_count_label, size="2", color=MUTED),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )


def _status_badge(row: DocumentRow) -> rx.Component:
    return rx.badge(
        rx.cond(row.processing & (row.status != "queued"), rx.spinner(size="1")),
        row.status,
        color_scheme=rx.match(
            row.status, ("ready", "green"), ("failed", "red"), ("queued", "gray"), "blue"
        ),
        variant="soft",
        text_transform="capitalize",
        custom_attrs=testid("doc-status"),
    )


def _graph_retry(row: DocumentRow) -> rx.Component:
    return rx.cond(
        row.graph_failed & DocumentsState.can_write,
        rx.link(
            "Retry",
            as_="button",
            size="1",
            on_click=DocumentsState.retry_graph(row.id),
            aria_label="Retry the knowledge graph of " + row.name,
            custom_attrs=testid("graph-retry"),
        ),
    )


def _graph_stage(row: DocumentRow) -> rx.Component:
    """The graph stage under a ready document: its own line, bar and ETA, or its failure."""
    return rx.vstack(
        rx.cond(
            row.graph_working,
            rx.progress(
                value=row.graph_percent,
                max=100,
                size="1",
                width="100%",
                color_scheme="violet",
                custom_attrs={**testid("graph-progress"), "data-percent": row.graph_percent},
            ),
        ),
        rx.text(
            rx.icon("waypoints", size=12, display="inline", vertical_align="middle"),
            " ",
            row.graph_label,
            rx.cond(row.graph_failed & DocumentsState.can_write, " · ", ""),
            _graph_retry(row),
            size="1",
            color=rx.cond(row.graph_failed, rx.color("red", 11), MUTED),
            custom_attrs=testid("graph-label"),
        ),
        spacing="1",
        width="100%",
        custom_attrs={**testid("graph-stage"), "data-state": row.graph_state},
    )


def _status_cell(row: DocumentRow) -> rx.Component:
    return rx.vstack(
        _status_badge(row),
        rx.cond(row.graph_shown, _graph_stage(row)),
        rx.cond(
            row.processing,
            rx.vstack(
                rx.hstack(
                    rx.progress(
                        value=row.percent,
                        max=100,
                        size="1",
                        width="100%",
                        custom_attrs={**testid("doc-progress"), "data-percent": row.percent},
                    ),
                    rx.text(row.percent.to_string() + "%", size="1", color=MUTED, width="34px"),
                    align="center",
                    spacing="2",
                    width="100%",
                ),
                rx.text(
                    row.stage_detail,
                    rx.cond(
                        row.eta_label != "",
                        rx.text.span(
                            rx.cond(row.stage_detail != "", " · ", ""),
                            row.eta_label,
                            custom_attrs=testid("doc-eta"),
                        ),
                    ),
                    size="1",
                    color=MUTED,
                    custom_attrs=testid("doc-stage"),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            row.failed,
            rx.text(
                row.error,
                size="1",
                color=rx.color("red", 11),
                custom_attrs=testid("doc-error"),
            ),
        ),
        spacing="1",
        align="start",
        width="100%",
    )


def _download(row: DocumentRow) -> rx.Component:
    """A plain anchor: the download route is a server route the SPA router must not handle."""
    return rx.tooltip(
        rx.el.a(
            rx.icon("download", size=16),
            href=row.download_url,
            download=row.name,
            reload_document=True,  # rx.el.a is React Router's Link: fetch from the server
            aria_label="Download " + row.name,
            display="inline-flex",
            align_items="center",
            justify_content="center",
            width="28px",
            height="28px",
            border_radius="6px",
            color=rx.color("gray", 11),
            _hover={"background": rx.color("gray", 4), "color": rx.color("gray", 12)},
            custom_attrs=testid("doc-download"),
        ),
        content="Download the original",
    )


def _actions(row: DocumentRow) -> rx.Component:
    return rx.hstack(
        _download(row),
        rx.cond(
            DocumentsState.can_write,
            rx.fragment(
                rx.cond(
                    row.failed,
                    rx.tooltip(
                        rx.icon_button(
                            rx.icon("rotate-ccw", size=16),
                            size="1",
                            variant="ghost",
                            color_scheme="gray",
                            on_click=DocumentsState.retry(row.id),
                            aria_label="Retry " + row.name,
                            custom_attrs=testid("doc-retry"),
                        ),
                        content="Try processing again",
                    ),
                ),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("trash-2", size=16),
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        on_click=DocumentsState.ask_delete(row.id, row.name),
                        aria_label="Delete " + row.name,
                        custom_attrs=testid("doc-delete"),
                    ),
                    content="Delete",
                ),
            ),
        ),
        spacing="2",
        justify="end",
        align="center",
    )


def _name_cell(row: DocumentRow) -> rx.Component:
    """The name opens the document's detail panel."""
    return rx.hstack(
        rx.icon("file-text", size=18, color=rx.color("accent", 10), flex_shrink="0"),
        rx.vstack(
            rx.el.button(
                rx.text(row.name, size="2", weight="medium", truncate=True),
                on_click=DocumentsState.open_details(row.id),
                aria_label="Details of " + row.name,
                title=row.name,
                type="button",
                max_width=rx.breakpoints(initial="150px", sm="280px"),
                padding="0",
                border="none",
                background="none",
                color=rx.color("accent", 11),
                cursor="pointer",
                text_align="left",
                _hover={"text_decoration": "underline"},
                custom_attrs=testid("doc-name"),
            ),
            rx.text(
                row.uploaded_by,
                " · ",
                row.uploaded_at,
                size="1",
                color=MUTED,
                white_space=rx.breakpoints(initial="normal", sm="nowrap"),
                custom_attrs=testid("doc-uploaded"),
            ),
            spacing="0",
            min_width="0",
        ),
        align="center",
        spacing="3",
    )


# On a phone the figures columns give way to name and status (the detail panel has them all).
WIDE_ONLY = rx.breakpoints(initial="none", xs="table-cell")


def _cell(value, name: str) -> rx.Component:
    return rx.table.cell(
        rx.text(value, size="2", color=MUTED, white_space="nowrap", custom_attrs=testid(name)),
        display=WIDE_ONLY,
    )


def _select_cell(row: DocumentRow) -> rx.Component:
    return rx.table.cell(
        rx.checkbox(
            checked=DocumentsState.shown_selected_ids.contains(row.id),
            on_change=lambda checked: DocumentsState.toggle_selected(row.id, checked),
            aria_label="Select " + row.name,
            custom_attrs=testid("doc-select"),
        ),
        width="32px",
    )


def _row(row: DocumentRow) -> rx.Component:
    return rx.table.row(
        rx.cond(DocumentsState.can_write, _select_cell(row)),
        rx.table.cell(_name_cell(row), min_width="170px"),
        _cell(row.type_label, "doc-type"),
        _cell(row.size_label, "doc-size"),
        _cell(row.pages, "doc-pages"),
        _cell(row.chunks, "doc-chunks"),
        rx.table.cell(
            rx.badge(
                row.version,
                variant="outline",
                color_scheme="gray",
                custom_attrs=testid("doc-version"),
            ),
            display=WIDE_ONLY,
        ),
        rx.table.cell(_status_cell(row), width=rx.breakpoints(initial="150px", xs="250px")),
        rx.table.cell(_actions(row)),
        align="center",
        custom_attrs={
            **testid("doc-row"),
            "data-name": row.name,
            "data-status": row.status,
            "data-version": row.version,
            "data-queue": row.queue_label,
        },
    )


def _screen_reader_only(text: str) -> rx.Component:
    return rx.text.span(
        text,
        position="absolute",
        width="1px",
        height="1px",
        overflow="hidden",
        clip="rect(0 0 0 0)",
        white_space="nowrap",
    )


def _header() -> rx.Component:
    return rx.table.header(
        rx.table.row(
            rx.cond(
                DocumentsState.can_write,
                rx.table.column_header_cell(
                    rx.checkbox(
                        checked=DocumentsState.all_selected,
                        on_change=DocumentsState.select_all,
                        aria_label="Select every document shown",
                        custom_attrs=testid("doc-select-all"),
                    ),
                    width="32px",
                ),
            ),
            rx.table.column_header_cell("Document"),
            rx.table.column_header_cell("Type", display=WIDE_ONLY),
            rx.table.column_header_cell("Size", display=WIDE_ONLY),
            rx.table.column_header_cell("Pages", display=WIDE_ONLY),
            rx.table.column_header_cell("Chunks", display=WIDE_ONLY),
            rx.table.column_header_cell("Version", display=WIDE_ONLY),
            rx.table.column_header_cell("Status"),
            rx.table.column_header_cell(_screen_reader_only("Actions"), width="96px"),
        )
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("files", size=28, color=rx.color("gray", 9)),
            rx.cond(
                DocumentsState.has_filters,
                rx.text("No documents match these filters.", size="2", color=MUTED),
                rx.vstack(
                    rx.text("No documents yet", size="3", weight="bold"),
                    rx.text(
                        rx.cond(
                            DocumentsState.can_write,
                            "Drop files above: they are read, split into passages and indexed "
                            "for search and chat, and you can watch every step here.",
                            "Documents that writers add appear here.",
                        ),
                        size="2",
                        color=MUTED,
                        align="center",
                        max_width="420px",
                    ),
                    align="center",
                    spacing="1",
                ),
            ),
            align="center",
            spacing="2",
        ),
        padding="36px",
        custom_attrs=testid("docs-empty"),
    )


def _table() -> rx.Component:
    return rx.card(
        rx.table.root(
            _header(),
            rx.table.body(rx.foreach(DocumentsState.documents, _row)),
            variant="ghost",
            size="2",
            width="100%",
            custom_attrs=testid("docs-table"),
        ),
        rx.cond(DocumentsState.documents.length() == 0, _empty()),
        width="100%",
        overflow_x="auto",
    )


def _delete_dialog() -> rx.Component:
    return confirm_delete_dialog(
        title="Delete document",
        name=DocumentsState.delete_name,
        consequence=(
            "? It is removed from search, chat and the graph, and its original file is "
            "deleted. This cannot be undone."
        ),
        on_confirm=DocumentsState.confirm_delete(
            DocumentsState.delete_id, DocumentsState.delete_name
        ),
        is_open=DocumentsState.delete_id != "",
        on_open_change=DocumentsState.delete_dialog_changed,
        max_width="460px",
    )


def _bulk_delete_dialog() -> rx.Component:
    return confirm_action_dialog(
        title="Delete documents",
        description=rx.text.span(
            "Delete ",
            rx.text.strong(DocumentsState.selection_count_label),
            "? They are removed from search, chat and the graph, and their original files are "
            "deleted. This cannot be undone.",
        ),
        confirm_label="Delete",
        on_confirm=DocumentsState.confirm_bulk_delete(DocumentsState.shown_selected_ids),
        is_open=DocumentsState.bulk_delete_asked,
        on_open_change=DocumentsState.bulk_delete_dialog_changed,
        name="bulk-delete",
        color_scheme="red",
    )


def documents_section() -> rx.Component:
    return rx.vstack(
        upload_section(),
        rx.heading("Documents", as_="h2", size="4", margin_top="12px"),
        outcome(DocumentsState.docs_error, error=True, name="docs-error"),
        _toolbar(),
        bulk_bar(),
        rx.cond(
            DocumentsState.docs_loaded,
            _table(),
            rx.center(rx.spinner(size="3"), width="100%", padding_y="40px"),
        ),
        _delete_dialog(),
        _bulk_delete_dialog(),
        detail_dialog(),
        spacing="3",
        width="100%",
        custom_attrs=testid("documents"),
    )
