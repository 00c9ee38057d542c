"""Top bar: product name, the quick-search button and the user menu (name, email, role, sign out)."""

import reflex as rx

from lumikb_app.state.session import AppState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.html_form import html_form
from lumikb_app.ui.components.retrieval.quick_search import open_button

TOP_BAR_HEIGHT = "56px"


def brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("library-big", size=18, color="white"),
                width="30px",
                height="30px",
                border_radius="8px",
                background="linear-gradient(135deg, var(--accent-9), var(--accent-11))",
            ),
            rx.text("LumiKB", size="4", weight="bold", color=rx.color("gray", 12)),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
    )


def sign_out_form() -> rx.Component:
    return html_form(
        rx.button(
            rx.icon("log-out", size=16),
            "Sign out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            width="100%",
            custom_attrs=testid("sign-out"),
        ),
        action="/auth/logout",
        method="post",
        width="100%",
    )


def user_menu() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.avatar(
                    fallback=AppState.user_initials, size="1", radius="full", variant="solid"
                ),
                rx.text(
                    AppState.user_name, size="2", weight="medium", custom_attrs=testid("user-name")
                ),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                color_scheme="gray",
                custom_attrs=testid("user-menu"),
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.avatar(
                        fallback=AppState.user_initials, size="3", radius="full", variant="solid"
                    ),
                    rx.vstack(
                        rx.text(AppState.user_name, size="2", weight="bold"),
                        rx.text(AppState.user_email, size="1", color_scheme="gray"),
                        spacing="0",
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.badge(
                    AppState.role_label,
                    color_scheme=rx.cond(AppState.is_admin, "amber", "gray"),
                    variant="soft",
                    custom_attrs=testid("role-badge"),
                ),
                rx.separator(size="4"),
                rx.link(
                    rx.button(
                        rx.icon("user-round-cog", size=16),
                        "Account and password",
                        variant="ghost",
                        color_scheme="gray",
                        width="100%",
                        justify="start",
                    ),
                    href="/account",
                    width="100%",
                    custom_attrs=testid("account-link"),
                ),
                sign_out_form(),
                spacing="3",
                align="start",
                width="240px",
            ),
            align="end",
        ),
    )


def top_bar() -> rx.Component:
    return rx.hstack(
        brand(),
        rx.spacer(),
        open_button(),
        rx.spacer(),
        user_menu(),
        align="center",
        padding_x="20px",
        height=TOP_BAR_HEIGHT,
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        width="100%",
        custom_attrs=testid("top-bar"),
    )
