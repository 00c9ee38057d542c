"""The drop zone (drag and drop or file picker, many files) and the per-file uploads panel."""

import reflex as rx

from lumikb_app.state.documents.documents import UPLOAD_ID, DocumentsState, UploadRow, drop_events
from lumikb_app.ui.components.common import outcome, testid

MUTED = rx.color("gray", 11)
ACCEPTED = "PDF, Word (DOCX), Markdown, reStructuredText, HTML or plain text"


def label_file_input(component: rx.Component, label: str) -> rx.Component:
    """Name the drop zone's hidden file input (Reflex offers no prop for it), for screen readers."""
    for child in component.children:
        if getattr(child, "tag", None) == "input":
            child.custom_attrs["aria-label"] = label
        else:
            label_file_input(child, label)
    return component


def drop_prompt(busy: rx.Var, busy_text: rx.Var | str, drop: str, choose: str) -> rx.Component:
    """A drop zone's words: "<drop> or <choose>" (the link look), or `busy_text` while busy."""
    return rx.cond(
        busy,
        busy_text,
        rx.fragment(
            rx.text.strong(drop),
            " or ",
            rx.text.span(choose, color=rx.color("accent", 11), text_decoration="underline"),
        ),
    )


def upload_zone() -> rx.Component:
    return label_file_input(_drop_zone(), "Choose files to upload")


def _drop_zone() -> rx.Component:
    return rx.upload.root(
        rx.hstack(
            rx.center(
                rx.cond(
                    DocumentsState.uploading,
                    rx.spinner(size="3"),
                    rx.icon("cloud-upload", size=22, color=rx.color("accent", 11)),
                ),
                width="44px",
                height="44px",
                border_radius="11px",
                background=rx.color("accent", 3),
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(
                    drop_prompt(
                        DocumentsState.uploading, "Uploading…", "Drop files here", "choose files"
                    ),
                    size="3",
                ),
                rx.text(
                    ACCEPTED + " · up to " + DocumentsState.max_upload_mb.to_string() + " MB each",
                    size="1",
                    color=MUTED,
                ),
                spacing="1",
                min_width="0",
            ),
            align="center",
            justify="center",
            spacing="4",
            width="100%",
        ),
        id=UPLOAD_ID,
        multiple=True,
        on_drop=drop_events(),
        disabled=DocumentsState.uploading,
        border=f"1.5px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        padding="18px 24px",
        width="100%",
        cursor="pointer",
        background=rx.color("gray", 2),
        _hover={"border_color": rx.color("accent", 8), "background": rx.color("accent", 2)},
        drag_active_style={
            "border_color": rx.color("accent", 9),
            "background": rx.color("accent", 3),
        },
        custom_attrs=testid("upload-zone"),
    )


def _phase_icon(row: UploadRow) -> rx.Component:
    """A tick only for a file the server stored and queued; a refused one keeps its cross."""
    return rx.match(
        row.phase,
        (
            "uploaded",
            rx.icon("circle-check", size=18, color=rx.color("green", 10), aria_label="Added"),
        ),
        (
            "identical",
            rx.icon("info", size=18, color=rx.color("blue", 10), aria_label="Already here"),
        ),
        (
            "rejected",
            rx.icon("circle-x", size=18, color=rx.color("red", 10), aria_label="Not added"),
        ),
        rx.spinner(size="2"),
    )


def _failed_badge(row: UploadRow) -> rx.Component:
    return rx.cond(
        row.phase == "rejected",
        rx.badge(
            "Not added", color_scheme="red", variant="soft", custom_attrs=testid("upload-failed")
        ),
    )


def _upload_row(row: UploadRow) -> rx.Component:
    in_flight = (row.phase == "waiting") | (row.phase == "receiving") | (row.phase == "storing")
    return rx.hstack(
        _phase_icon(row),
        rx.vstack(
            rx.hstack(
                rx.text(row.name, size="2", weight="medium", truncate=True),
                _failed_badge(row),
                rx.spacer(),
                rx.cond(
                    in_flight,
                    rx.text(row.percent.to_string() + "%", size="1", color=MUTED),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                in_flight,
                rx.progress(
                    value=row.percent,
                    max=100,
                    size="1",
                    width="100%",
                    custom_attrs=testid("upload-progress"),
                ),
            ),
            rx.text(
                row.detail,
                size="1",
                color=rx.cond(row.phase == "rejected", rx.color("red", 11), MUTED),
                custom_attrs=testid("upload-message"),
            ),
            spacing="1",
            width="100%",
            min_width="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        padding_y="8px",
        padding_x="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.cond(row.phase == "rejected", rx.color("red", 2), "transparent"),
        custom_attrs={**testid("upload-row"), "data-name": row.name, "data-phase": row.phase},
    )


def _summary() -> rx.Component:
    """The batch's one line (added, failed, left, ETA), read out as it changes."""
    return rx.text(
        DocumentsState.upload_summary,
        size="2",
        margin_top="6px",
        role="status",
        custom_attrs=testid("upload-summary"),
    )


def _upload_log() -> rx.Component:
    """The per-file rows in a bounded box that scrolls, so the table below stays in view."""
    return rx.box(
        rx.vstack(rx.foreach(DocumentsState.uploads, _upload_row), spacing="0", width="100%"),
        max_height="240px",
        overflow_y="auto",
        width="100%",
        margin_top="6px",
        tab_index=0,
        role="region",
        aria_label="Uploaded files",
        custom_attrs=testid("upload-log"),
    )


def uploads_panel() -> rx.Component:
    return rx.cond(
        DocumentsState.uploads.length() > 0,
        rx.card(
            rx.hstack(
                rx.text("Uploads", size="2", weight="bold"),
                rx.cond(
                    DocumentsState.uploading,
                    rx.text(
                        "Sending… " + DocumentsState.upload_percent.to_string() + "%",
                        size="1",
                        color=MUTED,
                        custom_attrs=testid("upload-overall"),
                    ),
                ),
                rx.spacer(),
                rx.button(
                    rx.cond(DocumentsState.upload_log_open, "Hide files", "Show files"),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=DocumentsState.toggle_upload_log,
                    aria_expanded=rx.cond(DocumentsState.upload_log_open, "true", "false"),
                    custom_attrs=testid("uploads-toggle"),
                ),
                rx.cond(
                    ~DocumentsState.uploading,
                    rx.button(
                        "Clear",
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=DocumentsState.clear_uploads,
                        custom_attrs=testid("uploads-clear"),
                    ),
                ),
                align="center",
                spacing="3",
                width="100%",
            ),
            _summary(),
            rx.cond(DocumentsState.upload_log_open, _upload_log()),
            width="100%",
            custom_attrs=testid("uploads-panel"),
        ),
    )


def upload_section() -> rx.Component:
    """Writers get the drop zone; readers a line saying why there is none."""
    return rx.cond(
        DocumentsState.can_write,
        rx.vstack(
            upload_zone(),
            outcome(DocumentsState.upload_error, error=True, name="upload-error"),
            uploads_panel(),
            spacing="3",
            width="100%",
        ),
        rx.callout(
            "You can read this knowledge base. Adding or removing documents needs write access.",
            icon="eye",
            color_scheme="gray",
            variant="surface",
            size="1",
            width="100%",
            custom_attrs=testid("read-only-note"),
        ),
    )
