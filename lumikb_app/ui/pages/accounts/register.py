"""Self-registration (public): a form when the administrator has turned it on, a notice otherwise.

Also holds the centred-card layout that the public pages (register, reset password) share.
"""

import reflex as rx

from lumikb_app.services.accounts.passwords import MIN_PASSWORD_LENGTH
from lumikb_app.state.accounts.public_forms import REGISTRATION_OFF, RegisterState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import form_field
from lumikb_app.ui.components.shell import hydration_marker


def brand_header() -> rx.Component:
    return rx.hstack(
        rx.center(
            rx.icon("library-big", size=22, color="white"),
            width="40px",
            height="40px",
            border_radius="10px",
            background="linear-gradient(135deg, var(--accent-9), var(--accent-11))",
        ),
        rx.heading("LumiKB", size="7", weight="bold"),
        align="center",
        spacing="3",
    )


def public_layout(*content: rx.Component) -> rx.Component:
    """A centred card under the LumiKB name, like the login page."""
    return rx.center(
        rx.vstack(
            brand_header(),
            rx.card(rx.vstack(*content, spacing="4", width="100%"), size="4", width="100%"),
            rx.link("Back to sign in", href="/login", size="2", custom_attrs=testid("to-login")),
            hydration_marker(),
            align="center",
            spacing="5",
            width="100%",
            max_width="420px",
            padding="16px",
        ),
        min_height="100vh",
        width="100%",
        background=f"radial-gradient(circle at 50% 0%, {rx.color('accent', 3)}, {rx.color('gray', 2)} 60%)",
    )


def form_error(text: rx.Var) -> rx.Component:
    return outcome(text, error=True, name="form-error")


PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well."


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Create an account", size="5", weight="bold"),
            form_error(RegisterState.error),
            form_field("Name", "display_name", "text", "name"),
            form_field("Email", "email", "email", "username"),
            form_field("Password", "password", "password", "new-password", PASSWORD_HINT),
            form_field("Confirm password", "confirm_password", "password", "new-password"),
            rx.button(
                "Create account",
                type="submit",
                size="3",
                width="100%",
                custom_attrs=testid("register-submit"),
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=RegisterState.submit,
        reset_on_submit=False,
        width="100%",
        custom_attrs=testid("register-form"),
    )


def _turned_off() -> rx.Component:
    return rx.vstack(
        rx.heading("Create an account", size="5", weight="bold"),
        rx.callout(
            REGISTRATION_OFF,
            icon="lock",
            color_scheme="gray",
            width="100%",
            custom_attrs=testid("registration-off"),
        ),
        spacing="4",
        width="100%",
    )


def register_page() -> rx.Component:
    return public_layout(
        rx.cond(
            RegisterState.checked,
            rx.cond(RegisterState.enabled, _form(), _turned_off()),
            rx.center(rx.spinner(size="3"), padding_y="40px", width="100%"),
        )
    )
