"""The bar over the documents table while rows are ticked: how many, Delete and Retry failed."""

import reflex as rx

from lumikb_app.state.documents.documents import DocumentsState
from lumikb_app.ui.components.common import outcome, testid


def _bar() -> rx.Component:
    failed = DocumentsState.selected_failed_ids.length()
    return rx.hstack(
        rx.text(
            DocumentsState.selection_count_label,
            " selected",
            size="2",
            weight="medium",
            custom_attrs=testid("bulk-count"),
        ),
        rx.spacer(),
        rx.button(
            rx.icon("rotate-ccw", size=15),
            "Retry failed (" + failed.to_string() + ")",
            size="1",
            variant="soft",
            disabled=failed == 0,
            on_click=DocumentsState.retry_selected(DocumentsState.selected_failed_ids),
            custom_attrs=testid("bulk-retry"),
        ),
        rx.button(
            rx.icon("trash-2", size=15),
            "Delete",
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=DocumentsState.ask_bulk_delete,
            custom_attrs=testid("bulk-delete"),
        ),
        rx.button(
            "Clear selection",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=DocumentsState.select_all(False),
            custom_attrs=testid("bulk-clear"),
        ),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
        padding="8px 12px",
        border_radius="8px",
        background=rx.color("accent", 3),
        role="toolbar",
        aria_label="Selected documents",
        custom_attrs=testid("bulk-bar"),
    )


def bulk_bar() -> rx.Component:
    """Writers only; the outcome of the last bulk action stays until the next selection."""
    return rx.cond(
        DocumentsState.can_write,
        rx.vstack(
            rx.cond(DocumentsState.shown_selected_ids.length() > 0, _bar()),
            rx.cond(
                DocumentsState.bulk_failed,
                outcome(DocumentsState.bulk_message, error=True, name="bulk-outcome"),
                outcome(DocumentsState.bulk_message, error=False, name="bulk-outcome"),
            ),
            spacing="2",
            width="100%",
        ),
    )
