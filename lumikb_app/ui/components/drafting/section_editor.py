"""A section's text in place: a Markdown text area beside a live preview whose `[n]` badges are
the section's sources (a marker that names none stays plain text, and is dropped on save),
Save and Cancel, and why a save was refused (the text stays in the editor)."""

import reflex as rx

from lumikb_app.domain.drafting import MAX_SECTION_TEXT
from lumikb_app.state.drafting.section_edit import EDITOR_ID, SectionEditState
from lumikb_app.state.drafting.section_view import SectionView
from lumikb_app.ui.components.chat.answer_markdown import answer_markdown
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.drafting.section_sources import sources_list


def _text_area(section: SectionView) -> rx.Component:
    return rx.text_area(
        name="content",
        id=EDITOR_ID,
        default_value=SectionEditState.edit_text,
        key=section.id + "-" + section.revision.to_string(),
        on_change=SectionEditState.edit_changed.debounce(250),
        rows="10",
        width="100%",
        max_length=MAX_SECTION_TEXT,
        font_family="var(--code-font-family)",
        font_size="13px",
        custom_attrs={**testid("section-editor-text"), "aria-label": "Answer (Markdown)"},
    )


def _preview() -> rx.Component:
    return rx.box(
        rx.text("Preview", size="1", weight="bold", color=rx.color("gray", 11)),
        answer_markdown(SectionEditState.edit_preview, "section-editor-preview"),
        padding="8px 12px",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="8px",
        min_width="0",
        width="100%",
    )


def _buttons() -> rx.Component:
    return rx.hstack(
        rx.text(
            "Cite with [n] (the numbers of the sources listed below); a marker with no source is dropped.",
            size="1",
            color=rx.color("gray", 11),
            flex="1",
        ),
        rx.button(
            "Cancel",
            type="button",
            variant="soft",
            color_scheme="gray",
            on_click=SectionEditState.cancel_edit,
            custom_attrs=testid("section-edit-cancel"),
        ),
        rx.button(
            "Save",
            type="submit",
            loading=SectionEditState.edit_saving,
            custom_attrs=testid("section-edit-save"),
        ),
        align="center",
        spacing="2",
        width="100%",
        flex_wrap="wrap",
    )


def section_editor(section: SectionView) -> rx.Component:
    return rx.form(
        rx.vstack(
            outcome(SectionEditState.edit_error, error=True, name="section-edit-error"),
            rx.grid(
                _text_area(section),
                _preview(),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            _buttons(),
            sources_list(SectionEditState.edit_sources, "section-editor-sources"),
            spacing="3",
            width="100%",
        ),
        on_submit=SectionEditState.save_edit,
        width="100%",
        custom_attrs=testid("section-editor"),
    )
