"""KB settings: name and description, search settings (a refused value is explained next to its
field), the members panel, archive (after a confirmation) and delete. Shown to KB admins only;
a member with a lower role is told the page needs ADMIN."""

import reflex as rx

from lumikb_app.state.knowledge_bases.kb_settings import (
    ANSWER_PRESETS,
    ROLE_NAMES,
    KbSettingsState,
    MemberRow,
    ModelOption,
)
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.confirm_dialog import confirm_action_dialog
from lumikb_app.ui.components.forms import field_label
from lumikb_app.ui.components.shell import main_pane_loading, page_header, shell
from lumikb_app.ui.pages.knowledge_bases.kb import kb_not_found
from lumikb_app.ui.pages.knowledge_bases.kb_graph_section import graph_settings_card
from lumikb_app.ui.theme import ACCENT

ROLE_HELP = (
    "READ can search and read · WRITE can also add documents · ADMIN can also manage members"
)


def role_select(value: rx.Var | str, label: rx.Var | str, on_change) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(min_width="110px", custom_attrs={"aria-label": label}),
        rx.select.content(*(rx.select.item(name, value=name) for name in ROLE_NAMES)),
        value=value,
        on_change=on_change,
        size="2",
    )


def details_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Details", size="4"),
                outcome(KbSettingsState.details_error, error=True, name="details-error"),
                outcome(KbSettingsState.details_notice, error=False, name="details-notice"),
                field_label("Name", "kb-name"),
                rx.input(
                    id="kb-name",
                    value=KbSettingsState.name_input,
                    on_change=KbSettingsState.set_name_input,
                    max_length=120,
                    width="100%",
                    custom_attrs=testid("kb-name-input"),
                ),
                field_label("Description", "kb-description"),
                rx.text_area(
                    id="kb-description",
                    value=KbSettingsState.description_input,
                    on_change=KbSettingsState.set_description_input,
                    max_length=2000,
                    rows="3",
                    width="100%",
                    custom_attrs=testid("kb-description-input"),
                ),
                rx.button("Save", type="submit", custom_attrs=testid("kb-save")),
                spacing="2",
                align="start",
                width="100%",
            ),
            on_submit=KbSettingsState.save_details,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        custom_attrs=testid("kb-details"),
    )


def member_row(member: MemberRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(member.display_name, weight="medium"),
                rx.cond(member.is_you, rx.badge("you", variant="soft", color_scheme="gray")),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.text(member.email, color=rx.color("gray", 11))),
        rx.table.cell(
            role_select(
                member.role,
                "Role of " + member.email,
                lambda role: KbSettingsState.change_role(member.email, role),
            ),
            custom_attrs=testid("member-role"),
        ),
        rx.table.cell(
            rx.button(
                rx.icon("user-minus", size=14),
                "Remove",
                variant="soft",
                color_scheme="red",
                size="1",
                on_click=KbSettingsState.remove_member(member.user_id),
                custom_attrs={**testid("member-remove"), "aria-label": "Remove " + member.email},
            ),
            text_align="right",
        ),
        align="center",
        custom_attrs={**testid("member-row"), "data-email": member.email},
    )


def add_member_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                id="add-member-email",
                name="email",
                type="email",
                required=True,
                placeholder="person@example.com",
                auto_complete="off",
                flex="1",
                custom_attrs={
                    **testid("add-member-email"),
                    "aria-label": "Email of the new member",
                },
            ),
            role_select(
                KbSettingsState.add_role, "Role of the new member", KbSettingsState.set_add_role
            ),
            rx.button(
                rx.icon("user-plus", size=16),
                "Add member",
                type="submit",
                custom_attrs=testid("add-member-submit"),
            ),
            spacing="2",
            align="center",
            width="100%",
        ),
        on_submit=KbSettingsState.add_member,
        reset_on_submit=False,
        width="100%",
        custom_attrs=testid("add-member-form"),
    )


def members_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Members", size="4"),
            rx.text(ROLE_HELP, size="1", color=rx.color("gray", 10)),
            outcome(KbSettingsState.members_error, error=True, name="members-error"),
            outcome(KbSettingsState.members_notice, error=False, name="members-notice"),
            rx.text("Add a member", size="2", weight="medium", margin_top="4px"),
            add_member_form(),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Email"),
                        rx.table.column_header_cell("Role"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(KbSettingsState.members, member_row)),
                variant="surface",
                width="100%",
                custom_attrs=testid("members-table"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs=testid("members-panel"),
    )


def _field_id(name: str) -> str:
    return "setting-" + name.replace("_", "-")


def _field_aria(name: str) -> dict:
    """The field's hint and, when refused, its error sentence, read out with it."""
    field_id, refused = _field_id(name), KbSettingsState.field_errors[name] != ""
    return {
        "aria-invalid": rx.cond(refused, "true", "false"),
        "aria-describedby": field_id + "-hint " + field_id + "-error",
    }


def _field_notes(name: str, hint: str) -> rx.Component:
    """The hint, and under it the refused value's sentence ("Chunk size must be at most...")."""
    field_id, error = _field_id(name), KbSettingsState.field_errors[name]
    return rx.fragment(
        rx.text(hint, id=field_id + "-hint", size="1", color=rx.color("gray", 11)),
        rx.text(
            rx.cond(error != "", rx.fragment(rx.icon("circle-alert", size=12), " ", error)),
            id=field_id + "-error",
            size="1",
            weight="medium",
            color=rx.color("red", 11),
            display=rx.cond(error != "", "flex", "none"),
            align_items="center",
            gap="4px",
            custom_attrs=testid(field_id + "-error"),
        ),
    )


def _setting_input(name: str, label: str, hint: str, **props) -> rx.Component:
    field_id = _field_id(name)
    return rx.vstack(
        field_label(label, field_id),
        rx.input(
            id=field_id,
            name=name,
            value=KbSettingsState.settings_form[name],
            on_change=lambda value: KbSettingsState.set_setting(name, value),
            width="100%",
            # a refused field is tinted red as well as explained under it
            variant=rx.cond(KbSettingsState.field_errors[name] != "", "soft", "surface"),
            color_scheme=rx.cond(KbSettingsState.field_errors[name] != "", "red", ACCENT),
            custom_attrs={**testid(field_id), **_field_aria(name)},
            **props,
        ),
        _field_notes(name, hint),
        spacing="1",
        width="100%",
    )


def _model_option(option: ModelOption) -> rx.Component:
    return rx.select.item(option.label, value=option.value)


def _model_select(name: str, label: str, hint: str, options) -> rx.Component:
    """A select of registry models (administrators add models in Admin → Models)."""
    field_id = _field_id(name)
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(
                width="100%",
                custom_attrs={**testid(field_id), "aria-label": label, **_field_aria(name)},
            ),
            rx.select.content(rx.foreach(options, _model_option)),
            value=KbSettingsState.settings_form[name],
            on_change=lambda value: KbSettingsState.set_setting(name, value),
            size="2",
        ),
        _field_notes(name, hint),
        spacing="1",
        width="100%",
    )


def search_settings_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Search and indexing", size="4"),
                rx.text(
                    "Changing chunk size, overlap or the embedding model re-indexes every "
                    "document in the background.",
                    size="1",
                    color=rx.color("gray", 10),
                ),
                outcome(KbSettingsState.settings_error, error=True, name="settings-error"),
                outcome(KbSettingsState.settings_notice, error=False, name="settings-notice"),
                rx.grid(
                    _setting_input(
                        "chunk_tokens", "Chunk size (tokens)", "64 to 2000", type="number"
                    ),
                    _setting_input(
                        "chunk_overlap",
                        "Chunk overlap (tokens)",
                        "0 to 500, at most half the chunk size",
                        type="number",
                    ),
                    _model_select(
                        "embedding_model",
                        "Embedding model",
                        "From the model registry; a change re-indexes every document",
                        KbSettingsState.embedding_models,
                    ),
                    _setting_input("top_k", "Results per search (top-k)", "1 to 50", type="number"),
                    _model_select(
                        "chat_model",
                        "Chat model",
                        "From the model registry; it writes this knowledge base's answers",
                        KbSettingsState.chat_models,
                    ),
                    _setting_input(
                        "similarity_threshold",
                        "Similarity threshold",
                        "0 to 1; weaker matches are dropped",
                        type="number",
                        step="0.01",
                    ),
                    rx.vstack(
                        rx.text("Answer style", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(
                                width="100%",
                                custom_attrs={
                                    **testid("setting-answer-preset"),
                                    "aria-label": "Answer style",
                                    **_field_aria("answer_preset"),
                                },
                            ),
                            rx.select.content(
                                *(rx.select.item(p.title(), value=p) for p in ANSWER_PRESETS)
                            ),
                            value=KbSettingsState.settings_form["answer_preset"],
                            on_change=lambda v: KbSettingsState.set_setting("answer_preset", v),
                            size="2",
                        ),
                        _field_notes("answer_preset", "How long chat answers are"),
                        spacing="1",
                        width="100%",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.button("Save", type="submit", custom_attrs=testid("settings-save")),
                spacing="2",
                align="start",
                width="100%",
            ),
            on_submit=KbSettingsState.save_settings,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        custom_attrs=testid("search-settings"),
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash-2", size=14),
                "Delete knowledge base",
                color_scheme="red",
                custom_attrs=testid("kb-delete"),
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete knowledge base"),
            rx.alert_dialog.description(
                "This removes every document, its versions and its search index for good. "
                "Type the name of the knowledge base to confirm.",
                size="2",
            ),
            rx.input(
                value=KbSettingsState.delete_confirm,
                on_change=KbSettingsState.set_delete_confirm,
                placeholder=KbSettingsState.kb_name,
                auto_complete="off",
                margin_top="12px",
                custom_attrs={
                    **testid("kb-delete-confirm-input"),
                    "aria-label": "Name of the knowledge base",
                },
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    "Delete for good",
                    color_scheme="red",
                    disabled=KbSettingsState.delete_confirm != KbSettingsState.kb_name,
                    on_click=KbSettingsState.delete_kb,
                    custom_attrs=testid("kb-delete-confirm"),
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
        open=KbSettingsState.delete_open,
        on_open_change=KbSettingsState.delete_dialog_changed,
    )


def archive_dialog() -> rx.Component:
    return confirm_action_dialog(
        title="Archive knowledge base",
        description=rx.fragment(
            rx.text.span("Archive "),
            rx.text.strong(KbSettingsState.kb_name),
            rx.text.span(
                "? It leaves the knowledge base list, the sidebar and search for everyone; "
                "nothing is deleted. Restore it from the home page's Archived list."
            ),
        ),
        confirm_label="Archive",
        on_confirm=KbSettingsState.toggle_archived,
        is_open=KbSettingsState.archive_open,
        on_open_change=KbSettingsState.archive_dialog_changed,
        name="archive",
    )


def danger_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Danger zone", size="4", color=rx.color("red", 11)),
            outcome(KbSettingsState.danger_error, error=True, name="danger-error"),
            outcome(KbSettingsState.danger_notice, error=False, name="danger-notice"),
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.text("Archive", size="2", weight="medium"),
                        rx.cond(
                            KbSettingsState.kb_archived,
                            rx.badge("Archived", color_scheme="amber", variant="soft"),
                            rx.badge("Active", color_scheme="green", variant="soft"),
                        ),
                        spacing="2",
                        align="center",
                        custom_attrs=testid("kb-archive-state"),
                    ),
                    rx.text(
                        "An archived knowledge base leaves listings and search; its admins "
                        "find it under Archived on the home page, and can open and restore it.",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.cond(
                    KbSettingsState.kb_archived,
                    rx.button(
                        "Restore",
                        variant="soft",
                        color_scheme="green",
                        on_click=KbSettingsState.toggle_archived,
                        custom_attrs=testid("kb-archive-toggle"),
                    ),
                    rx.button(
                        "Archive",
                        variant="soft",
                        color_scheme="amber",
                        on_click=KbSettingsState.archive_dialog_changed(True),
                        custom_attrs=testid("kb-archive-toggle"),
                    ),
                ),
                archive_dialog(),
                align="center",
                width="100%",
                wrap="wrap",
                gap="8px",
            ),
            rx.separator(size="4"),
            rx.hstack(
                rx.vstack(
                    rx.text("Delete", size="2", weight="medium"),
                    rx.text(
                        "Hidden at once, then removed from every store in the background.",
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                delete_dialog(),
                align="center",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs=testid("danger-zone"),
    )


def _found() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Back to the knowledge base")),
            href="/kb/" + KbSettingsState.settings_kb_id,
            size="2",
            custom_attrs=testid("back-to-kb"),
        ),
        page_header(
            KbSettingsState.kb_name,
            "Settings: details, search, the knowledge graph, who has access, archive and delete.",
            icon="settings",
        ),
        details_card(),
        search_settings_card(),
        graph_settings_card(),
        members_card(),
        danger_card(),
        spacing="4",
        width="100%",
        custom_attrs=testid("kb-settings"),
    )


def admin_needed() -> rx.Component:
    """A member below ADMIN: what the page needs, and the way back to the KB they can read."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("shield-alert")),
        rx.vstack(
            rx.text(
                "Only members with the ADMIN role can change this knowledge base's settings. "
                "Your role is " + KbSettingsState.refused_role + ": ask one of its admins if you "
                "need a change.",
                size="2",
                color=rx.color("gray", 12),  # the callout's amber text is too pale to read
            ),
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), rx.text("Back to the knowledge base")),
                href="/kb/" + KbSettingsState.refused_kb_id,
                size="2",
                custom_attrs=testid("back-to-kb"),
            ),
            spacing="2",
        ),
        color_scheme="amber",
        role="alert",
        custom_attrs=testid("kb-settings-admin-needed"),
    )


def kb_settings_page() -> rx.Component:
    return shell(
        rx.cond(
            rx.State.is_hydrated,
            rx.cond(
                KbSettingsState.kb_found,
                _found(),
                rx.cond(KbSettingsState.refused_role != "", admin_needed(), kb_not_found()),
            ),
            main_pane_loading(),
        )
    )
