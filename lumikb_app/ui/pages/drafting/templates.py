"""/drafts/templates: every template the user may draft from, each with its sections and their
instructions; built-in ones are read-only (copy one to change it); KB admins and system admins
add, edit, archive and restore custom ones and see each one's versions."""

import reflex as rx

from lumikb_app.domain.drafting import (
    MAX_INSTRUCTION,
    MAX_TEMPLATE_DESCRIPTION,
    MAX_TEMPLATE_NAME,
    MAX_TEMPLATE_SECTION_TITLE,
)
from lumikb_app.state.drafting.draft_create import NewDraftState
from lumikb_app.state.drafting.template_cards import (
    LENGTH_LABELS,
    TONE_LABELS,
    ScopeOption,
    SectionDraft,
    TemplateCard,
    TemplateSectionView,
    TemplateVersionRow,
)
from lumikb_app.state.drafting.templates_admin import TemplatesState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.confirm_dialog import confirm_action_dialog
from lumikb_app.ui.components.drafting.new_draft_dialog import new_draft_dialog
from lumikb_app.ui.components.forms import dialog_foot, field_label, labelled_select
from lumikb_app.ui.components.shell import page_header, shell

MUTED = rx.color("gray", 11)


# -- the cards ---------------------------------------------------------------------------------


def _section_line(section: TemplateSectionView) -> rx.Component:
    return rx.el.li(
        rx.text(section.title, size="2", weight="medium"),
        rx.cond(
            section.instruction != "",
            rx.text(section.instruction, size="1", color=MUTED),
        ),
        margin_bottom="6px",
        custom_attrs=testid("template-section"),
    )


def _card_actions(card: TemplateCard) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("file-plus", size=14),
            "Use",
            size="1",
            disabled=card.archived,
            on_click=NewDraftState.open_new_draft(card.id),
            aria_label="Use " + card.name + " for a new draft",
            custom_attrs=testid("template-use"),
        ),
        rx.cond(
            TemplatesState.may_add_templates,
            rx.button(
                rx.icon("copy", size=14),
                "Copy",
                size="1",
                variant="soft",
                on_click=TemplatesState.copy_template(card.id),
                aria_label="Copy " + card.name + " into a new template",
                custom_attrs=testid("template-copy"),
            ),
        ),
        rx.cond(
            card.can_manage,
            rx.fragment(
                rx.button(
                    rx.icon("pencil", size=14),
                    "Edit",
                    size="1",
                    variant="soft",
                    on_click=TemplatesState.edit_template(card.id),
                    aria_label="Edit " + card.name,
                    custom_attrs=testid("template-edit"),
                ),
                rx.cond(
                    card.archived,
                    rx.button(
                        "Restore",
                        size="1",
                        variant="soft",
                        color_scheme="green",
                        on_click=TemplatesState.restore_template(card.id),
                        aria_label="Restore " + card.name,
                        custom_attrs=testid("template-restore"),
                    ),
                    rx.button(
                        "Archive",
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        on_click=TemplatesState.ask_archive_template(card.id),
                        aria_label="Archive " + card.name,
                        custom_attrs=testid("template-archive"),
                    ),
                ),
                rx.button(
                    "Versions",
                    size="1",
                    variant="ghost",
                    on_click=TemplatesState.show_versions(card.id),
                    aria_label="Versions of " + card.name,
                    custom_attrs=testid("template-versions"),
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def template_card(card: TemplateCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(card.name, size="3", weight="bold", flex="1", min_width="0"),
                rx.badge(card.scope, variant="soft", custom_attrs=testid("template-scope")),
                rx.cond(card.archived, rx.badge("Archived", color_scheme="gray")),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.cond(card.description != "", rx.text(card.description, size="2", color=MUTED)),
            rx.text(
                card.sections_label
                + " · "
                + card.length_label
                + " · "
                + card.tone_label
                + rx.cond(card.built_in, "", " · version " + card.version.to_string()),
                size="1",
                color=MUTED,
                custom_attrs=testid("template-facts"),
            ),  # fmt: skip
            rx.el.details(
                rx.el.summary("Sections and instructions", font_size="13px", cursor="pointer"),
                rx.el.ol(
                    rx.foreach(card.sections, _section_line), padding_left="20px", margin_top="8px"
                ),
            ),
            _card_actions(card),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={**testid("template-card"), "data-name": card.name},
    )


def _grid(cards: rx.Var) -> rx.Component:
    return rx.grid(
        rx.foreach(cards, template_card),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
    )


# -- the editor --------------------------------------------------------------------------------


def _choice_select(
    label: str, control_id: str, value: rx.Var, on_change, options: dict[str, str]
) -> rx.Component:
    items = [rx.select.item(text, value=key) for key, text in options.items()]
    return labelled_select(
        label, control_id, items, value=value, on_change=on_change, min_width="0"
    )


def _scope_item(scope: ScopeOption) -> rx.Component:
    return rx.select.item(scope.label, value=scope.value)


def _scope_select() -> rx.Component:
    return labelled_select(
        "For",
        "template-scope",
        [rx.foreach(TemplatesState.template_scopes, _scope_item)],
        value=TemplatesState.editor_scope,
        on_change=TemplatesState.set_editor_scope,
        test_id="template-scope-select",
        min_width="0",
    )


def _move_button(section: SectionDraft, up: bool) -> rx.Component:
    word = "up" if up else "down"
    return rx.icon_button(
        rx.icon("arrow-up" if up else "arrow-down", size=14),
        size="1",
        variant="ghost",
        color_scheme="gray",
        type="button",
        on_click=TemplatesState.move_editor_section(section.key, up),
        aria_label=f"Move section {word}",
    )


def _section_editor(section: SectionDraft, index: rx.Var) -> rx.Component:
    number = (index + 1).to_string()
    title_id = "section-title-" + section.key
    instruction_id = "section-instruction-" + section.key
    return rx.box(
        rx.hstack(
            rx.text("Section " + number, size="2", weight="bold"),
            rx.spacer(),
            _move_button(section, True),
            _move_button(section, False),
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                color_scheme="red",
                type="button",
                on_click=TemplatesState.remove_editor_section(section.key),
                aria_label="Remove section " + number,
                custom_attrs=testid("section-remove"),
            ),
            align="center",
            width="100%",
        ),
        rx.el.label("Title", html_for=title_id, font_size="var(--font-size-1)"),
        rx.input(
            id=title_id,
            default_value=section.title,
            max_length=MAX_TEMPLATE_SECTION_TITLE,
            on_blur=lambda value: TemplatesState.set_editor_section(section.key, "title", value),
            width="100%",
            custom_attrs=testid("section-title"),
        ),
        rx.el.label("Instruction", html_for=instruction_id, font_size="var(--font-size-1)"),
        rx.text_area(
            id=instruction_id,
            default_value=section.instruction,
            max_length=MAX_INSTRUCTION,
            rows="2",
            placeholder="What this section should say, and from which sources",
            on_blur=lambda value: TemplatesState.set_editor_section(
                section.key, "instruction", value
            ),
            width="100%",
            custom_attrs=testid("section-instruction"),
        ),
        key=section.key,
        padding="10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
        width="100%",
        custom_attrs=testid("section-editor"),
    )


def _editor_fields() -> rx.Component:
    return rx.vstack(
        outcome(TemplatesState.editor_error, error=True, name="template-error"),
        field_label("Name", "template-name"),
        rx.input(
            id="template-name",
            default_value=TemplatesState.editor_name,
            key=TemplatesState.editor_template_id + TemplatesState.editor_version.to_string(),
            max_length=MAX_TEMPLATE_NAME,
            on_blur=TemplatesState.set_editor_name,
            width="100%",
            custom_attrs=testid("template-name"),
        ),
        field_label("Description", "template-description"),
        rx.text_area(
            id="template-description",
            default_value=TemplatesState.editor_description,
            key=TemplatesState.editor_template_id + TemplatesState.editor_version.to_string(),
            max_length=MAX_TEMPLATE_DESCRIPTION,
            rows="2",
            on_blur=TemplatesState.set_editor_description,
            width="100%",
            custom_attrs=testid("template-description"),
        ),
        rx.grid(
            rx.cond(TemplatesState.editor_template_id == "", _scope_select()),
            _choice_select(
                "Answer length",
                "template-length",
                TemplatesState.editor_length,
                TemplatesState.set_editor_length,
                LENGTH_LABELS,
            ),
            _choice_select(
                "Tone",
                "template-tone",
                TemplatesState.editor_tone,
                TemplatesState.set_editor_tone,
                TONE_LABELS,
            ),
            columns=rx.breakpoints(initial="1", sm="3"),
            gap="12px",
            width="100%",
        ),  # fmt: skip
        rx.text("Sections", size="2", weight="bold", margin_top="4px"),
        rx.foreach(TemplatesState.editor_sections, _section_editor),
        rx.button(
            rx.icon("plus", size=14),
            "Add section",
            type="button",
            variant="soft",
            size="1",
            on_click=TemplatesState.add_editor_section,
            custom_attrs=testid("section-add"),
        ),
        spacing="2",
        width="100%",
    )


def editor_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(TemplatesState.editor_title),
            rx.dialog.description(
                "Each section becomes a section of drafts made from this template, answered "
                "from the draft's knowledge bases following its instruction.",
                size="2",
                color=MUTED,
                margin_bottom="12px",
            ),
            _editor_fields(),
            dialog_foot(
                rx.button(
                    "Save template",
                    type="button",
                    loading=TemplatesState.editor_busy,
                    on_click=TemplatesState.save_template,
                    custom_attrs=testid("template-save"),
                ),
                margin_top="12px",
            ),
            max_width="min(680px, 96vw)",
            custom_attrs=testid("template-editor"),
        ),
        open=TemplatesState.editor_open,
        on_open_change=TemplatesState.editor_dialog_changed,
    )


# -- versions and archive ----------------------------------------------------------------------


def _version_item(row: TemplateVersionRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(row.version, size="2", weight="bold"),
            rx.text(row.who + " · " + row.when, size="1", color=MUTED),
            spacing="2",
            align="baseline",
            wrap="wrap",
        ),
        rx.text(row.name + " · " + row.summary, size="1"),
        rx.text(row.sections, size="1", color=MUTED),
        padding="8px 0",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs=testid("template-version"),
    )


def versions_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Versions of " + TemplatesState.versions_title),
            rx.vstack(
                rx.foreach(TemplatesState.version_rows, _version_item), spacing="0", width="100%"
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                width="100%",
                margin_top="12px",
            ),
            max_width="min(560px, 96vw)",
            custom_attrs=testid("versions-dialog"),
        ),
        open=TemplatesState.versions_open,
        on_open_change=TemplatesState.versions_dialog_changed,
    )


def archive_dialog() -> rx.Component:
    return confirm_action_dialog(
        title="Archive template",
        description=rx.fragment(
            rx.text.span("Archive "),
            rx.text.strong(TemplatesState.archive_template_name),
            rx.text.span(
                "? New drafts can no longer start from it; drafts made from it keep their "
                "sections. You can restore it here."
            ),
        ),
        confirm_label="Archive",
        on_confirm=TemplatesState.confirm_archive_template(TemplatesState.archive_template_id),
        is_open=TemplatesState.archive_template_id != "",
        on_open_change=TemplatesState.archive_dialog_changed,
        name="archive-template",
    )


# -- the page ----------------------------------------------------------------------------------


def _custom_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Your team's templates", size="4"),
            rx.spacer(),
            rx.cond(
                TemplatesState.may_add_templates,
                rx.button(
                    rx.icon("plus", size=16),
                    "New template",
                    on_click=TemplatesState.new_template,
                    custom_attrs=testid("new-template"),
                ),
            ),
            align="center",
            width="100%",
        ),
        rx.cond(
            TemplatesState.custom_cards.length() > 0,
            _grid(TemplatesState.custom_cards),
            rx.text(
                rx.cond(
                    TemplatesState.may_add_templates,
                    "No custom templates yet. Add one, or copy a built-in one to change it.",
                    "No custom templates yet. Knowledge base admins and system administrators "
                    "can add them.",
                ),
                size="2",
                color=MUTED,
                custom_attrs=testid("custom-empty"),
            ),
        ),
        spacing="3",
        width="100%",
        custom_attrs=testid("custom-templates"),
    )


def templates_page() -> rx.Component:
    return shell(
        rx.hstack(
            page_header(
                "Templates",
                "The outlines drafts start from: sections with their instructions, answer length "
                "and tone.",
                icon="layout-template",
            ),
            rx.spacer(),
            rx.link(
                "Back to drafts", href="/drafts", size="2", custom_attrs=testid("back-to-drafts")
            ),
            align="start",
            width="100%",
            wrap="wrap",
        ),
        outcome(TemplatesState.templates_error, error=True, name="templates-error"),
        outcome(TemplatesState.templates_notice, error=False, name="templates-notice"),
        rx.cond(
            TemplatesState.templates_loaded,
            rx.vstack(
                _custom_section(),
                rx.heading("Built-in templates", size="4", margin_top="12px"),
                rx.box(
                    _grid(TemplatesState.built_in_cards),
                    width="100%",
                    custom_attrs=testid("built-in-templates"),
                ),
                spacing="3",
                width="100%",
            ),
            rx.spinner(size="3"),
        ),
        editor_dialog(),
        versions_dialog(),
        archive_dialog(),
        new_draft_dialog(),
    )
