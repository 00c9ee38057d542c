"""/admin/users: search, the users table with per-row actions, new-user and reset-link dialogs."""

import reflex as rx

from lumikb_app.state.accounts.admin_users import AdminUsersState, UserRow
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import dialog_foot, field_label
from lumikb_app.ui.components.responsive import scroll_x
from lumikb_app.ui.components.row_menu import row_menu
from lumikb_app.ui.components.shell import main_pane_loading, page_header, shell
from lumikb_app.ui.pages.platform.admin_home import admin_only, admin_tabs

MUTED = rx.color("gray", 11)


def _role_badge(user: UserRow) -> rx.Component:
    return rx.badge(
        rx.cond(user.role == "admin", "Admin", "Member"),
        color_scheme=rx.cond(user.role == "admin", "amber", "gray"),
        variant="soft",
        custom_attrs=testid("user-role"),
    )


def _status_badge(user: UserRow) -> rx.Component:
    return rx.cond(
        ~user.active,
        rx.badge(
            "Deactivated",
            color_scheme="gray",
            variant="outline",
            custom_attrs=testid("user-status"),
        ),
        rx.cond(
            user.locked,
            rx.badge(
                rx.icon("lock", size=12),
                "Locked",
                color_scheme="red",
                variant="soft",
                custom_attrs=testid("user-status"),
            ),
            rx.badge(
                "Active", color_scheme="green", variant="soft", custom_attrs=testid("user-status")
            ),
        ),
    )


def _identity(user: UserRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=user.name[0:1].upper(), size="2", radius="full", variant="soft"),
        rx.vstack(
            rx.hstack(
                rx.text(
                    user.name, size="2", weight="medium", custom_attrs=testid("user-name-cell")
                ),
                rx.cond(user.is_self, rx.badge("You", size="1", variant="outline")),
                align="center",
                spacing="2",
            ),
            rx.text(user.email, size="1", color=MUTED, custom_attrs=testid("user-email")),
            spacing="0",
        ),
        align="center",
        spacing="3",
    )


def _menu_item(label: str, icon: str, on_click, name: str, **props) -> rx.Component:
    return rx.dropdown_menu.item(
        rx.hstack(rx.icon(icon, size=14), rx.text(label), align="center", spacing="2"),
        on_click=on_click,
        custom_attrs=testid(f"action-{name}"),
        **props,
    )


def _row_actions(user: UserRow) -> rx.Component:
    return row_menu(
        user.email,
        "user-actions",
        rx.cond(
            user.locked,
            _menu_item("Unlock", "lock-open", AdminUsersState.unlock(user.id), "unlock"),
        ),
        _menu_item(
            "Create reset link",
            "key-round",
            AdminUsersState.create_reset_link(user.id, user.email),
            "reset-link",
        ),
        rx.dropdown_menu.separator(),
        rx.cond(
            user.role == "admin",
            _menu_item(
                "Make member",
                "user",
                AdminUsersState.set_role(user.id, "member"),
                "make-member",
                disabled=user.is_self,
            ),
            _menu_item(
                "Make admin", "shield", AdminUsersState.set_role(user.id, "admin"), "make-admin"
            ),
        ),
        rx.cond(
            user.active,
            _menu_item(
                "Deactivate",
                "user-x",
                AdminUsersState.set_active(user.id, False),
                "deactivate",
                color="red",
                disabled=user.is_self,
            ),
            _menu_item(
                "Reactivate",
                "user-check",
                AdminUsersState.set_active(user.id, True),
                "reactivate",
            ),
        ),
        align="end",
    )


def _user_row(user: UserRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_identity(user)),
        rx.table.cell(_role_badge(user)),
        rx.table.cell(_status_badge(user)),
        rx.table.cell(rx.text(user.created, size="2", color=MUTED)),
        rx.table.cell(_row_actions(user), text_align="right"),
        align="center",
        custom_attrs={**testid("user-row"), "data-email": user.email},
    )


def _users_table() -> rx.Component:
    return rx.card(
        scroll_x(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("User"),
                        rx.table.column_header_cell("Role"),
                        rx.table.column_header_cell("Status"),
                        rx.table.column_header_cell("Created"),
                        rx.table.column_header_cell("", width="60px"),
                    )
                ),
                rx.table.body(rx.foreach(AdminUsersState.users, _user_row)),
                variant="ghost",
                size="2",
                width="100%",
                custom_attrs=testid("users-table"),
            ),
            label="Users",
        ),
        rx.cond(
            AdminUsersState.users.length() == 0,
            rx.center(
                rx.text("No users match this search.", size="2", color=MUTED),
                padding="32px",
                custom_attrs=testid("users-empty"),
            ),
        ),
        width="100%",
    )


def _field(label: str, name: str, input_type: str, placeholder: str, autocomplete: str):
    return rx.vstack(
        field_label(label, f"new-user-{name}"),
        rx.input(
            id=f"new-user-{name}",
            name=name,
            type=input_type,
            placeholder=placeholder,
            auto_complete=autocomplete,
            width="100%",
            custom_attrs=testid(f"new-user-{name}"),
        ),
        spacing="1",
        width="100%",
    )


def _new_user_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("user-plus", size=16), "New user", custom_attrs=testid("new-user")),
        ),
        rx.dialog.content(
            rx.dialog.title("New user"),
            rx.dialog.description(
                "They sign in with this email and initial password. "
                "Grant access to knowledge bases from each knowledge base's members panel.",
                size="2",
                color=MUTED,
                margin_bottom="16px",
            ),
            rx.form(
                rx.vstack(
                    outcome(AdminUsersState.create_error, error=True, name="new-user-error"),
                    _field("Email", "email", "email", "name@example.com", "off"),
                    _field("Display name", "name", "text", "Full name", "off"),
                    _field(
                        "Initial password",
                        "password",
                        "password",
                        "At least 10 characters",
                        "new-password",
                    ),
                    rx.vstack(
                        rx.text("Role", size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(width="100%", custom_attrs=testid("new-user-role")),
                            rx.select.content(
                                rx.select.item("Member", value="member"),
                                rx.select.item("Administrator", value="admin"),
                            ),
                            name="role",
                            default_value="member",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    dialog_foot(
                        rx.button(
                            "Create user", type="submit", custom_attrs=testid("new-user-submit")
                        ),
                        margin_top="8px",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=AdminUsersState.create_user,
                reset_on_submit=False,
                custom_attrs=testid("new-user-form"),
            ),
            max_width="460px",
        ),
        open=AdminUsersState.create_open,
        on_open_change=AdminUsersState.create_dialog_changed,
    )


def _reset_link_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Password reset link"),
            rx.dialog.description(
                rx.text.span("Send this link to "),
                rx.text.strong(AdminUsersState.reset_email),
                rx.text.span(
                    ". It works once and expires in 1 hour. It is shown only now: "
                    "copy it before closing this window."
                ),
                size="2",
                color=MUTED,
                margin_bottom="16px",
            ),
            rx.hstack(
                rx.input(
                    value=AdminUsersState.reset_link,
                    read_only=True,
                    width="100%",
                    custom_attrs=testid("reset-link"),
                ),
                rx.button(
                    rx.icon("copy", size=15),
                    "Copy",
                    on_click=[
                        rx.set_clipboard(AdminUsersState.reset_link),
                        rx.toast.success("Link copied.", position="top-center"),
                    ],
                    variant="soft",
                    custom_attrs=testid("copy-reset-link"),
                ),
                width="100%",
                spacing="2",
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Done", custom_attrs=testid("reset-link-done"))),
                justify="end",
                margin_top="20px",
            ),
            max_width="560px",
            custom_attrs=testid("reset-link-dialog"),
        ),
        open=AdminUsersState.reset_link != "",
        on_open_change=AdminUsersState.reset_dialog_changed,
    )


def _self_registration_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text("Self-registration", size="3", weight="bold"),
                rx.text(
                    "Let people create their own member account from the sign-in page. "
                    "Off by default; new accounts see no knowledge base until granted access.",
                    size="2",
                    color=MUTED,
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.switch(
                checked=AdminUsersState.self_registration_on,
                on_change=AdminUsersState.toggle_self_registration,
                size="2",
                custom_attrs={**testid("self-registration"), "aria-label": "Self-registration"},
            ),
            align="center",
            spacing="4",
            width="100%",
        ),
        width="100%",
        margin_top="20px",
        custom_attrs=testid("self-registration-card"),
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=15)),
            placeholder="Search by email or name",
            value=AdminUsersState.query,
            on_change=AdminUsersState.search,
            debounce_timeout=250,
            width="320px",
            custom_attrs=testid("user-search"),
        ),
        rx.text(AdminUsersState.user_count_label, size="2", color=MUTED),
        rx.spacer(),
        _new_user_dialog(),
        align="center",
        spacing="3",
        width="100%",
        margin_bottom="16px",
    )


def admin_users_page() -> rx.Component:
    return shell(
        page_header("Admin", "Users, access, settings and the audit log.", icon="shield"),
        admin_only(
            admin_tabs("/admin/users"),
            rx.cond(
                AdminUsersState.loaded,
                rx.box(
                    _toolbar(),
                    _users_table(),
                    _self_registration_card(),
                    _reset_link_dialog(),
                    width="100%",
                    custom_attrs=testid("admin-users"),
                ),
                main_pane_loading(),
            ),
        ),
    )
