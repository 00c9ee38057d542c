"""One section of a draft: its question or heading, status and confidence, who is editing it,
its progress while written, the answer with clickable `[n]` badges and its sources (each opens
the viewer at the passage), and what a person can do with it."""

import reflex as rx

from lumikb_app.state.drafting.comments import CommentsState
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.history import HistoryState
from lumikb_app.state.drafting.section_edit import SectionEditState
from lumikb_app.state.drafting.section_view import SectionView
from lumikb_app.ui.components.chat.answer_markdown import answer_markdown
from lumikb_app.ui.components.chat.chat_message import CONFIDENCE_COLORS
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.drafting.generation_progress import section_progress
from lumikb_app.ui.components.drafting.proposal_compare import proposal_compare, proposal_note
from lumikb_app.ui.components.drafting.section_editor import section_editor
from lumikb_app.ui.components.drafting.section_sources import sources_list

STATUS_COLORS = {"empty": "gray", "drafted": "blue", "edited": "violet", "reviewed": "grass"}


def _status(section: SectionView) -> rx.Component:
    return rx.badge(
        section.status_label,
        color_scheme=rx.cond(
            section.not_covered, "amber", rx.match(section.status, *STATUS_COLORS.items(), "gray")
        ),
        variant="soft",
        radius="full",
        high_contrast=True,  # soft amber text is too light otherwise
        custom_attrs={**testid("section-status"), "data-status": section.status},
    )


def _confidence(section: SectionView) -> rx.Component:
    level = section.confidence_level
    return rx.cond(
        level != "",
        rx.badge(
            rx.icon("gauge", size=13),
            section.confidence_label,
            color_scheme=rx.match(level, *CONFIDENCE_COLORS.items(), "gray"),
            variant="soft",
            radius="full",
            high_contrast=True,  # soft amber and tomato text is too light otherwise
            custom_attrs={**testid("section-confidence"), "data-level": level},
        ),
    )


def _editing_by(section: SectionView) -> rx.Component:
    return rx.cond(
        DraftEditorState.editing_by.contains(section.id),
        rx.badge(
            rx.icon("pencil", size=12),
            DraftEditorState.editing_by[section.id] + " is editing",
            color_scheme="orange",
            variant="surface",
            radius="full",
            high_contrast=True,
            custom_attrs=testid("section-editing-by"),
        ),
    )


def _header(section: SectionView) -> rx.Component:
    label = rx.cond(section.ref != "", section.ref, section.number.to_string())
    return rx.vstack(
        rx.hstack(
            rx.text(
                label + rx.cond(section.group != "", " · " + section.group, ""),
                size="1",
                weight="bold",
                color=rx.color("gray", 11),
            ),
            rx.spacer(),
            _editing_by(section),
            _confidence(section),
            _status(section),
            align="center",
            spacing="2",
            width="100%",
            flex_wrap="wrap",
        ),
        rx.heading(section.title, size="3", as_="h2", custom_attrs=testid("section-title")),
        spacing="1",
        width="100%",
    )


def _not_covered() -> rx.Component:
    return rx.hstack(
        rx.icon("search-x", size=18, color=rx.color("amber", 11), min_width="18px"),
        rx.vstack(
            rx.text("Not covered by the sources", size="2", weight="bold"),
            rx.text(
                "The knowledge bases this draft draws from do not answer this. "
                "Left for a person to answer.",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="1",
        ),
        spacing="3",
        padding="10px 12px",
        border_radius="8px",
        border=f"1px dashed {rx.color('amber', 7)}",
        background=rx.color("amber", 2),
        width="100%",
        custom_attrs=testid("section-not-covered"),
    )


def _answer(section: SectionView) -> rx.Component:
    live = (DraftEditorState.live_section_id == section.id) & ~DraftEditorState.live_is_proposal
    return rx.cond(
        live,
        answer_markdown(DraftEditorState.live_segments, "section-live-text"),
        rx.cond(
            section.not_covered,
            _not_covered(),
            rx.cond(
                section.status == "empty",
                rx.text(
                    "Not written yet.",
                    size="2",
                    color=rx.color("gray", 11),
                    custom_attrs=testid("section-empty"),
                ),
                answer_markdown(section.segments, "section-text"),
            ),
        ),
    )


def _regenerate_form(section: SectionView) -> rx.Component:
    return rx.cond(
        DraftEditorState.regen_id == section.id,
        rx.form(
            rx.hstack(
                rx.input(
                    name="instruction",
                    placeholder="What should change? e.g. Shorter, one paragraph",
                    max_length=1000,
                    auto_focus=True,
                    flex="1",
                    min_width="200px",
                    custom_attrs={
                        **testid("regenerate-instruction"),
                        "aria-label": "Instruction for the new version",
                    },
                ),
                rx.button(
                    "Cancel",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=DraftEditorState.close_regenerate,
                ),
                rx.button(
                    rx.icon("refresh-cw", size=14),
                    "Regenerate",
                    type="submit",
                    custom_attrs=testid("regenerate-submit"),
                ),
                spacing="2",
                width="100%",
                flex_wrap="wrap",
            ),
            on_submit=DraftEditorState.regenerate,
            reset_on_submit=True,
            width="100%",
            custom_attrs=testid("regenerate-form"),
        ),
    )


def _action(label: str, icon: str, on_click, name: str, **props) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=14),
        label,
        size="1",
        variant="ghost",
        color_scheme="gray",
        on_click=on_click,
        custom_attrs=testid(name),
        **props,
    )


def _review_button(section: SectionView) -> rx.Component:
    reviewed = section.status == "reviewed"
    return rx.cond(
        section.status != "empty",
        rx.button(
            rx.icon(rx.cond(reviewed, "circle-check", "circle"), size=14),
            rx.cond(reviewed, "Reviewed", "Mark reviewed"),
            size="1",
            variant=rx.cond(reviewed, "soft", "ghost"),
            color_scheme=rx.cond(reviewed, "grass", "gray"),
            on_click=DraftEditorState.set_reviewed(section.id, ~reviewed),
            custom_attrs={
                **testid("section-review"),
                "aria-pressed": rx.cond(reviewed, "true", "false"),
            },
        ),
    )


def _edit_actions(section: SectionView) -> rx.Component:
    state = DraftEditorState.progress[section.id]["state"].to(str)
    working = (state == "queued") | (state == "generating")
    free = ~working & ~DraftEditorState.editing_by.contains(section.id)
    return rx.cond(
        DraftEditorState.can_edit & (DraftEditorState.edit_id != section.id) & free,
        rx.hstack(
            _action("Edit", "pencil", SectionEditState.start_edit(section.id), "section-edit"),
            rx.cond(
                section.status == "empty",
                _action(
                    "Generate",
                    "sparkles",
                    DraftEditorState.generate(section.id),
                    "section-generate",
                    disabled=DraftEditorState.gen_active,
                ),
                _action(
                    "Regenerate…",
                    "refresh-cw",
                    DraftEditorState.open_regenerate(section.id),
                    "section-regenerate",
                    disabled=DraftEditorState.gen_active | section.has_proposal,
                ),
            ),
            _review_button(section),
            align="center",
            spacing="4",
            flex_wrap="wrap",
        ),
    )


def _side_links(section: SectionView) -> rx.Component:
    return rx.hstack(
        _action(
            "Comments",
            "message-square",
            [
                DraftEditorState.show_panel("comments"),
                CommentsState.show_section_comments(section.id),
            ],
            "section-comments",
        ),
        _action(
            "History",
            "history",
            [
                DraftEditorState.show_panel("history"),
                HistoryState.show_section_history(section.id),
            ],
            "section-history",
        ),
        spacing="4",
        align="center",
    )


def _actions(section: SectionView) -> rx.Component:
    return rx.hstack(
        _edit_actions(section),
        rx.spacer(),
        _side_links(section),
        align="center",
        spacing="4",
        width="100%",
        flex_wrap="wrap",
        padding_top="4px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )


def _refusal(section: SectionView) -> rx.Component:
    return rx.cond(
        DraftEditorState.error_section_id == section.id,
        outcome(DraftEditorState.section_error, error=True, name="section-error"),
    )


def _failed(section: SectionView) -> rx.Component:
    return rx.cond(
        section.error != "",
        rx.callout(
            section.error,
            icon="triangle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            custom_attrs=testid("section-failed"),
        ),
    )


def _body(section: SectionView) -> rx.Component:
    return rx.cond(
        DraftEditorState.edit_id == section.id,
        section_editor(section),
        rx.fragment(
            rx.cond(
                section.has_proposal
                | (
                    DraftEditorState.live_is_proposal
                    & (DraftEditorState.live_section_id == section.id)
                ),
                proposal_compare(section, answer_markdown(section.segments, "section-text")),
                _answer(section),
            ),
            sources_list(section.sources),
        ),
    )


def section_card(section: SectionView) -> rx.Component:
    return rx.vstack(
        _header(section),
        section_progress(section.id),
        _body(section),
        proposal_note(section),
        _failed(section),
        _refusal(section),
        _regenerate_form(section),
        _actions(section),
        spacing="3",
        width="100%",
        padding="16px",
        border_radius="12px",
        border=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        min_width="0",
        custom_attrs={
            **testid("section-card"),
            "data-id": section.id,
            "data-status": section.status,
            "data-ref": section.ref,
            "role": "region",
            "aria-label": "Section " + section.number.to_string(),
        },
    )
