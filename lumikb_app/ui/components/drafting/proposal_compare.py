"""A regenerated answer beside the current one, to accept or reject; while it is being written
the proposed side streams in."""

import reflex as rx

from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.section_view import SectionView
from lumikb_app.ui.components.chat.answer_markdown import answer_markdown
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.drafting.section_sources import sources_list

NOT_COVERED = "Not covered: the sources do not answer this."


def _column(title: str, body: rx.Component, name: str, badge: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(title, size="1", weight="bold", color=rx.color("gray", 11)),
            rx.spacer(),
            badge,
            align="center",
            width="100%",
        ),
        body,
        spacing="2",
        padding="10px 12px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        background=rx.color("gray", 1),
        min_width="0",
        width="100%",
        custom_attrs=testid(name),
    )


def _proposed_body(section: SectionView) -> rx.Component:
    streaming = DraftEditorState.live_is_proposal & (DraftEditorState.live_section_id == section.id)
    return rx.cond(
        streaming,
        answer_markdown(DraftEditorState.live_segments, "proposal-live-text"),
        rx.cond(
            section.proposal_not_covered,
            rx.text(NOT_COVERED, size="2", color=rx.color("amber", 11)),
            rx.fragment(
                answer_markdown(section.proposal_segments, "proposal-text"),
                sources_list(section.proposal_sources, "proposal-sources"),
            ),
        ),
    )


def _actions(section: SectionView) -> rx.Component:
    return rx.hstack(
        rx.cond(
            section.proposal_instruction != "",
            rx.text(
                "Asked: “" + section.proposal_instruction + "”",
                size="1",
                color=rx.color("gray", 11),
                flex="1",
            ),
            rx.spacer(),
        ),
        rx.button(
            rx.icon("x", size=14),
            "Reject",
            variant="soft",
            color_scheme="gray",
            size="2",
            on_click=DraftEditorState.reject_proposal(section.id),
            custom_attrs=testid("proposal-reject"),
        ),
        rx.button(
            rx.icon("check", size=14),
            "Accept",
            size="2",
            on_click=DraftEditorState.accept_proposal(section.id),
            custom_attrs=testid("proposal-accept"),
        ),
        align="center",
        spacing="2",
        width="100%",
        flex_wrap="wrap",
    )


def proposal_note(section: SectionView) -> rx.Component:
    """A regeneration whose answer is the section's text already: said, with a way to close."""
    return rx.cond(
        section.proposal_note != "",
        rx.hstack(
            rx.icon("info", size=16, color=rx.color("blue", 11), flex_shrink="0"),
            rx.text(section.proposal_note, size="2", color=rx.color("gray", 12), flex="1"),
            rx.cond(
                DraftEditorState.can_edit,
                rx.button(
                    "Dismiss",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=DraftEditorState.reject_proposal(section.id),
                ),
            ),
            align="center",
            spacing="2",
            padding="8px 12px",
            border_radius="8px",
            border=f"1px solid {rx.color('blue', 6)}",
            width="100%",
            custom_attrs=testid("proposal-note"),
        ),
    )


def proposal_compare(section: SectionView, current: rx.Component) -> rx.Component:
    streaming = DraftEditorState.live_is_proposal & (DraftEditorState.live_section_id == section.id)
    badge = rx.badge(
        section.proposal_confidence_label, variant="soft", color_scheme="gray", radius="full"
    )
    return rx.cond(
        section.has_proposal | streaming,
        rx.vstack(
            rx.grid(
                _column("Current", current, "proposal-current", rx.fragment()),
                _column(
                    "Proposed",
                    _proposed_body(section),
                    "proposal-proposed",
                    rx.cond(section.proposal_confidence_label != "", badge),
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                section.has_proposal & ~streaming & DraftEditorState.can_edit, _actions(section)
            ),
            spacing="2",
            width="100%",
            custom_attrs=testid("proposal-compare"),
        ),
    )
