"""KB settings: name and description, and the members panel. Shown to KB admins only."""

import reflex as rx

from lumikb_app.state.kb_settings import ROLE_NAMES, KbSettingsState, MemberRow
from lumikb_app.state.shell import NOT_FOUND_MESSAGE
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.shell import main_pane_loading, page_header, shell

ROLE_HELP = (
    "READ can search and read · WRITE can also add documents · ADMIN can also manage members"
)


def message(text: rx.Var, *, error: bool, name: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon="circle-alert" if error else "circle-check",
            color_scheme="red" if error else "green",
            role="alert" if error else "status",
            size="1",
            width="100%",
            custom_attrs=testid(name),
        ),
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
                message(KbSettingsState.details_error, error=True, name="details-error"),
                message(KbSettingsState.details_notice, error=False, name="details-notice"),
                rx.text("Name", as_="label", html_for="kb-name", size="2", weight="medium"),
                rx.input(
                    id="kb-name",
                    value=KbSettingsState.name_input,
                    on_change=KbSettingsState.set_name_input,
                    max_length=120,
                    width="100%",
                    custom_attrs=testid("kb-name-input"),
                ),
                rx.text(
                    "Description", as_="label", html_for="kb-description", size="2", weight="medium"
                ),
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
            message(KbSettingsState.members_error, error=True, name="members-error"),
            message(KbSettingsState.members_notice, error=False, name="members-notice"),
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
            "Settings: details and who has access.",
            icon="settings",
        ),
        details_card(),
        members_card(),
        spacing="4",
        width="100%",
        custom_attrs=testid("kb-settings"),
    )


def kb_settings_page() -> rx.Component:
    return shell(
        rx.cond(
            rx.State.is_hydrated,
            rx.cond(
                KbSettingsState.kb_found,
                _found(),
                rx.callout(
                    NOT_FOUND_MESSAGE,
                    icon="lock",
                    color_scheme="gray",
                    size="2",
                    custom_attrs=testid("kb-not-found"),
                ),
            ),
            main_pane_loading(),
        )
    )
