"""Progress while a draft is written: one bar for the whole draft (sections written, ETA) and a
thin bar under each section being written or waiting its turn."""

import reflex as rx

from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.section_view import SectionProgress
from lumikb_app.ui.components.common import testid


def overall_progress() -> rx.Component:
    return rx.cond(
        DraftEditorState.gen_active,
        rx.vstack(
            rx.hstack(
                rx.spinner(size="1"),
                rx.text(
                    DraftEditorState.gen_label,
                    size="2",
                    weight="medium",
                    custom_attrs=testid("draft-progress-label"),
                ),
                rx.spacer(),
                rx.text(DraftEditorState.gen_percent.to_string() + "%", size="2"),
                rx.cond(
                    DraftEditorState.can_edit,
                    rx.button(
                        rx.icon("circle-stop", size=14),
                        "Stop",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=DraftEditorState.stop_generation,
                        custom_attrs=testid("stop-generation"),
                    ),
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.progress(
                value=DraftEditorState.gen_percent,
                max=100,
                width="100%",
                aria_label="Draft written",
                custom_attrs=testid("draft-progress-bar"),
            ),
            spacing="2",
            width="100%",
            padding="12px 14px",
            border_radius="10px",
            border=f"1px solid {rx.color('accent', 6)}",
            background=rx.color("accent", 2),
            custom_attrs={
                **testid("draft-progress"),
                "data-percent": DraftEditorState.gen_percent,
                "role": "status",
            },
        ),
    )


def section_progress(section_id: rx.Var) -> rx.Component:
    progress = DraftEditorState.progress[section_id].to(SectionProgress)
    working = (progress.state == "queued") | (progress.state == "generating")
    return rx.cond(
        working,
        rx.hstack(
            rx.progress(
                value=progress.percent,
                max=100,
                size="1",
                flex="1",
                aria_label="Section written",
            ),
            rx.text(progress.label, size="1", color=rx.color("gray", 11), white_space="nowrap"),
            align="center",
            spacing="2",
            width="100%",
            custom_attrs={
                **testid("section-progress"),
                "data-state": progress.state,
                "data-percent": progress.percent,
            },
        ),
    )
