"""The account page: who you are, and changing your password."""

import reflex as rx

from lumikb_app.services.passwords import MIN_PASSWORD_LENGTH
from lumikb_app.state.account import AccountState
from lumikb_app.state.session import AppState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.shell import page_header, shell


def password_field(label: str, name: str, autocomplete: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
        rx.input(
            id=name,
            name=name,
            type="password",
            required=True,
            auto_complete=autocomplete,
            width="100%",
            custom_attrs=testid(f"account-{name.replace('_', '-')}"),
        ),
        rx.cond(hint != "", rx.text(hint, size="1", color=rx.color("gray", 10))),
        spacing="1",
        width="100%",
    )


def outcome(text: rx.Var, *, error: bool, name: str) -> rx.Component:
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


def profile_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.avatar(fallback=AppState.user_initials, size="4", radius="full", variant="solid"),
            rx.vstack(
                rx.text(AppState.user_name, size="3", weight="bold"),
                rx.text(AppState.user_email, size="2", color=rx.color("gray", 11)),
                rx.badge(AppState.role_label, variant="soft", color_scheme="gray"),
                spacing="1",
            ),
            align="center",
            spacing="4",
        ),
        width="100%",
        custom_attrs=testid("account-profile"),
    )


def password_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Change password", size="4"),
                outcome(AccountState.password_error, error=True, name="password-error"),
                outcome(AccountState.password_notice, error=False, name="password-notice"),
                password_field("Current password", "current_password", "current-password"),
                password_field(
                    "New password",
                    "new_password",
                    "new-password",
                    f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
                ),
                password_field("Confirm new password", "confirm_password", "new-password"),
                rx.button(
                    "Change password", type="submit", custom_attrs=testid("account-password-submit")
                ),
                spacing="3",
                align="start",
                width="100%",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=False,
            width="100%",
            custom_attrs=testid("password-form"),
        ),
        width="100%",
        max_width="480px",
    )


def account_page() -> rx.Component:
    return shell(
        page_header("Your account", "Your profile and password.", icon="user-round"),
        rx.vstack(profile_card(), password_card(), spacing="4", width="100%", max_width="480px"),
    )
