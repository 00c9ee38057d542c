"""Password reset through a one-time link an administrator created (public page)."""

import reflex as rx

from lumikb_app.state.accounts.public_forms import ResetPasswordState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.forms import form_field
from lumikb_app.ui.pages.accounts.register import PASSWORD_HINT, form_error, public_layout


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Choose a new password", size="5", weight="bold"),
            rx.text(
                "This link works once. After the change, sign in with your new password.",
                size="2",
                color=rx.color("gray", 11),
            ),
            form_error(ResetPasswordState.error),
            form_field("New password", "new_password", "password", "new-password", PASSWORD_HINT),
            form_field("Confirm new password", "confirm_password", "password", "new-password"),
            rx.button(
                "Set new password",
                type="submit",
                size="3",
                width="100%",
                custom_attrs=testid("reset-submit"),
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=ResetPasswordState.submit,
        reset_on_submit=False,
        width="100%",
        custom_attrs=testid("reset-form"),
    )


def _done() -> rx.Component:
    return rx.vstack(
        rx.heading("Password changed", size="5", weight="bold"),
        rx.callout(
            "Your password has been changed. Every session was signed out and your API tokens "
            "were revoked.",
            icon="circle-check",
            color_scheme="green",
            width="100%",
            custom_attrs=testid("reset-done"),
        ),
        rx.link(
            rx.button("Sign in", size="3", width="100%"),
            href="/login",
            width="100%",
            custom_attrs=testid("reset-sign-in"),
        ),
        spacing="4",
        width="100%",
    )


def _no_token() -> rx.Component:
    return rx.vstack(
        rx.heading("Reset link not valid", size="5", weight="bold"),
        form_error(ResetPasswordState.error),
        rx.text(
            "Ask your administrator for a new reset link.", size="2", color=rx.color("gray", 11)
        ),
        spacing="4",
        width="100%",
    )


def reset_password_page() -> rx.Component:
    return public_layout(
        rx.cond(
            ResetPasswordState.done,
            _done(),
            rx.cond(ResetPasswordState.has_token, _form(), _no_token()),
        )
    )
