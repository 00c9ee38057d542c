"""The login page: a centred card posting to /auth/login."""

import reflex as rx

from lumikb_app.state.accounts.login import LoginState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.forms import form_field
from lumikb_app.ui.components.html_form import html_form
from lumikb_app.ui.components.shell import hydration_marker

# What the card says depends on whether people may create their own account.
OPEN_COPY = "Sign in with your email and password, or create an account below."
CLOSED_COPY = "Use the account your administrator created for you."


def _error() -> rx.Component:
    return outcome(LoginState.error_message, error=True, name="login-error")  # "" unless shown


def _sso_button() -> rx.Component:
    """Single sign-on, shown only when OIDC is configured (a plain link: the provider is a full redirect)."""
    return rx.cond(
        LoginState.sso_enabled,
        rx.vstack(
            rx.hstack(
                rx.separator(size="4"),
                rx.text("or", size="1", color=rx.color("gray", 10)),
                rx.separator(size="4"),
                align="center",
                width="100%",
            ),
            # A plain GET form: a full page load the SPA router cannot swallow.
            html_form(
                rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                rx.button(
                    rx.icon("key-round", size=16),
                    "Sign in with SSO",
                    type="submit",
                    variant="outline",
                    size="3",
                    width="100%",
                    custom_attrs=testid("login-sso"),
                ),
                action="/auth/oidc/login",
                method="get",
                width="100%",
            ),
            spacing="3",
            width="100%",
            margin_top="16px",  # apart from the Sign in button above
        ),
    )


def _register_link() -> rx.Component:
    """Shown only when an administrator has turned self-registration on."""
    return rx.cond(
        LoginState.registration_open,
        rx.text(
            "New here? ",
            rx.link("Create an account", href="/register", custom_attrs=testid("register-link")),
            size="2",
            color=rx.color("gray", 11),
        ),
    )


def login_page() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.hstack(
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
            ),
            rx.card(
                html_form(
                    rx.vstack(
                        rx.heading("Sign in", size="5", weight="bold"),
                        rx.text(
                            rx.cond(
                                LoginState.registration_open,
                                OPEN_COPY,
                                CLOSED_COPY,
                            ),
                            size="2",
                            color=rx.color("gray", 11),
                            custom_attrs=testid("login-copy"),
                        ),
                        _error(),
                        form_field(
                            "Email",
                            "email",
                            "email",
                            "username",
                            placeholder="you@example.com",
                            test_id="login-email",
                        ),
                        form_field(
                            "Password",
                            "password",
                            "password",
                            "current-password",
                            placeholder="Your password",
                            test_id="login-password",
                        ),
                        rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                        rx.button(
                            "Sign in",
                            type="submit",
                            size="3",
                            width="100%",
                            margin_top="4px",
                            custom_attrs=testid("login-submit"),
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    action="/auth/login",
                    method="post",
                    width="100%",
                    custom_attrs=testid("login-form"),
                ),
                _sso_button(),
                size="4",
                width="100%",
            ),
            _register_link(),
            rx.text("Self-hosted knowledge base for teams", size="1", color=rx.color("gray", 10)),
            hydration_marker(),
            align="center",
            spacing="5",
            width="100%",
            max_width="400px",
            padding="16px",
        ),
        min_height="100vh",
        width="100%",
        background=f"radial-gradient(circle at 50% 0%, {rx.color('accent', 3)}, {rx.color('gray', 2)} 60%)",
    )
