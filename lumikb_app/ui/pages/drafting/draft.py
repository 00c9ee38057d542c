"""A draft (/drafts/[draft_id]): its sections with their answers, sources and status; generation
with live progress; editing, regenerating and reviewing; export. Other people's changes show
live. Missing and forbidden look the same, so ids cannot be probed."""

import reflex as rx

from lumikb_app.domain.drafting import EXTRACTIVE_NOTE
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.drafting.draft_side_panel import PANEL_WIDTH, side_panel
from lumikb_app.ui.components.drafting.export_menu import export_menu
from lumikb_app.ui.components.drafting.generation_progress import overall_progress
from lumikb_app.ui.components.drafting.section_card import section_card
from lumikb_app.ui.components.shell import main_pane_loading, shell

ROLE_LABELS = {"owner": "Owner", "edit": "Can edit", "view": "Can view"}


def _counts() -> rx.Component:
    return rx.text(
        DraftEditorState.counts_label,
        size="2",
        color=rx.color("gray", 11),
        custom_attrs=testid("draft-counts"),
    )


def _title() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14), rx.text("Drafts"), spacing="1", align="center"
            ),
            href="/drafts",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            rx.icon("file-pen-line", size=22, color=rx.color("accent", 11)),
            rx.heading(
                DraftEditorState.draft_title,
                size="6",
                weight="bold",
                custom_attrs=testid("page-title"),
            ),
            rx.badge(
                rx.match(DraftEditorState.role, *ROLE_LABELS.items(), ""),
                variant="surface",
                color_scheme="gray",
                custom_attrs=testid("draft-role"),
            ),
            align="center",
            spacing="2",
            flex_wrap="wrap",
        ),
        rx.cond(
            DraftEditorState.draft_brief != "",
            rx.text(
                DraftEditorState.draft_brief,
                size="2",
                color=rx.color("gray", 12),
                white_space="pre-line",
                custom_attrs=testid("draft-brief"),
            ),
        ),
        _counts(),
        spacing="1",
        min_width="0",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.cond(
            DraftEditorState.can_edit,
            rx.fragment(
                rx.button(
                    rx.icon("sparkles", size=15),
                    DraftEditorState.generate_label,
                    on_click=DraftEditorState.generate(""),
                    disabled=~DraftEditorState.can_generate,
                    variant=rx.cond(DraftEditorState.can_generate, "solid", "soft"),
                    title=DraftEditorState.generate_hint,
                    custom_attrs=testid("generate"),
                ),
                rx.button(
                    rx.icon("list-checks", size=15),
                    "Mark all reviewed",
                    variant="soft",
                    on_click=DraftEditorState.mark_all_reviewed,
                    disabled=DraftEditorState.answered_count == 0,
                    custom_attrs=testid("mark-all-reviewed"),
                ),
            ),
        ),
        export_menu(),
        spacing="2",
        align="center",
        flex_wrap="wrap",
    )


def _header() -> rx.Component:
    return rx.flex(
        _title(),
        rx.spacer(),
        _toolbar(),
        direction=rx.breakpoints(initial="column", md="row"),
        align=rx.breakpoints(initial="start", md="end"),
        gap="12px",
        width="100%",
    )


def _notice() -> rx.Component:
    """What an action did, in dark text (a green callout's text fails contrast on this page)."""
    return rx.cond(
        DraftEditorState.notice != "",
        rx.hstack(
            rx.icon("circle-check", size=16, color=rx.color("grass", 11), flex_shrink="0"),
            rx.text(DraftEditorState.notice, size="2", color=rx.color("gray", 12)),
            align="center",
            spacing="2",
            padding="8px 12px",
            border_radius="8px",
            border=f"1px solid {rx.color('grass', 6)}",
            background=rx.color("grass", 2),
            width="100%",
            custom_attrs={**testid("draft-notice"), "role": "status"},
        ),
    )


def _extractive_note() -> rx.Component:
    return rx.cond(
        DraftEditorState.extractive,
        rx.callout(
            EXTRACTIVE_NOTE,
            icon="info",
            color_scheme="blue",
            variant="surface",
            size="1",
            width="100%",
            custom_attrs=testid("extractive-note"),
        ),
    )


def _draft() -> rx.Component:
    return rx.vstack(
        _header(),
        _notice(),
        rx.cond(
            (DraftEditorState.section_error != "") & (DraftEditorState.error_section_id == ""),
            outcome(DraftEditorState.section_error, error=True, name="draft-error"),
        ),
        _extractive_note(),
        overall_progress(),
        rx.grid(
            rx.vstack(
                rx.foreach(DraftEditorState.sections, section_card),
                spacing="4",
                width="100%",
                min_width="0",
            ),
            side_panel(),
            grid_template_columns=rx.breakpoints(
                initial="minmax(0, 1fr)", lg=f"minmax(0, 1fr) {PANEL_WIDTH}"
            ),
            align_items="start",
            gap="20px",
            width="100%",
        ),
        spacing="4",
        width="100%",
        custom_attrs={
            **testid("draft-page"),
            "data-generating": DraftEditorState.gen_active,
            "data-draft-id": DraftEditorState.open_draft_id,
        },
    )


def _not_found() -> rx.Component:
    return rx.callout(
        DraftEditorState.draft_error,
        icon="lock",
        color_scheme="gray",
        size="2",
        custom_attrs=testid("draft-not-found"),
    )


def draft_page() -> rx.Component:
    return shell(
        rx.cond(
            rx.State.is_hydrated & DraftEditorState.draft_loaded,
            rx.cond(DraftEditorState.sections.length() > 0, _draft(), _not_found()),
            main_pane_loading(),
        )
    )
