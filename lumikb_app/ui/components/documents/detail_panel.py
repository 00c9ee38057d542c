"""A document's detail panel, opened from its row: what it is, its versions, its history."""

import reflex as rx

from lumikb_app.state.documents.document_panel import HistoryView, VersionView
from lumikb_app.state.documents.documents import DocumentsState
from lumikb_app.ui.components.common import testid

MUTED = rx.color("gray", 11)


def _fact(label: str, value: rx.Var, name: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=MUTED),
        rx.text(value, size="2", weight="medium", custom_attrs=testid(name)),
        spacing="0",
        min_width="96px",
    )


def _facts() -> rx.Component:
    detail = DocumentsState.detail
    return rx.flex(
        _fact("Status", detail.status, "detail-status"),
        _fact("Version", detail.version, "detail-version"),
        _fact("Size", detail.size, "detail-size"),
        _fact("Pages", detail.pages, "detail-pages"),
        _fact("Passages", detail.passages, "detail-passages"),
        _fact("Attempts", detail.attempts, "detail-attempts"),
        wrap="wrap",
        gap="16px",
        width="100%",
    )


def _version(line: VersionView) -> rx.Component:
    return rx.hstack(
        rx.badge(line.version, variant="outline", color_scheme="gray"),
        rx.vstack(
            rx.text(line.uploaded, size="2"),
            rx.text(line.summary, size="1", color=MUTED),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        rx.cond(
            line.current,
            rx.badge("current", color_scheme="green", variant="soft", high_contrast=True),
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        custom_attrs={**testid("detail-version-row"), "data-version": line.version},
    )


def _history(entry: HistoryView) -> rx.Component:
    return rx.hstack(
        rx.text(entry.at, size="1", color=MUTED, white_space="nowrap", min_width="118px"),
        rx.text(
            rx.cond(entry.version != "", entry.version + " · ", ""),
            entry.what,
            size="2",
            color=rx.cond(entry.kind == "failed", rx.color("red", 11), rx.color("gray", 12)),
        ),
        align="start",
        spacing="3",
        width="100%",
        custom_attrs={**testid("detail-history-row"), "data-kind": entry.kind},
    )


def _section(title: str, body: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="3", as_="h3"), body, spacing="2", width="100%")


def detail_dialog() -> rx.Component:
    detail = DocumentsState.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(detail.name, size="4", margin="0", truncate=True),
                rx.spacer(),
                rx.dialog.close(
                    rx.icon_button(
                        rx.icon("x", size=16),
                        variant="ghost",
                        color_scheme="gray",
                        aria_label="Close the details",
                        custom_attrs=testid("detail-close"),
                    )
                ),
                align="center",
                width="100%",
            ),
            rx.dialog.description(
                "Uploaded ", detail.uploaded, size="2", color=MUTED, margin_bottom="12px"
            ),
            rx.vstack(
                _facts(),
                rx.text("Steps done: ", detail.steps, size="1", color=MUTED),
                rx.cond(
                    detail.error != "",
                    rx.callout(
                        detail.error,
                        icon="circle-alert",
                        color_scheme="red",
                        size="1",
                        width="100%",
                        custom_attrs=testid("detail-error"),
                    ),
                ),
                _section(
                    "Versions",
                    rx.vstack(
                        rx.foreach(DocumentsState.detail_versions, _version),
                        spacing="0",
                        width="100%",
                    ),
                ),
                _section(
                    "Status history",
                    rx.vstack(
                        rx.foreach(DocumentsState.detail_history, _history),
                        spacing="2",
                        width="100%",
                        custom_attrs=testid("detail-history"),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            max_width="min(640px, 94vw)",
            max_height="86vh",
            overflow_y="auto",
            custom_attrs=testid("detail-panel"),
        ),
        open=DocumentsState.detail_open,
        on_open_change=DocumentsState.details_changed,
    )
