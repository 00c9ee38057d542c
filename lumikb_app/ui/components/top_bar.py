"""Top bar: product name, the quick-search button and the user menu (name, email, role, sign out)."""

import reflex as rx

from lumikb_app.state.session import AppState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.html_form import html_form
from lumikb_app.ui.components.responsive import SHOWN, VISUALLY_HIDDEN
from lumikb_app.ui.components.retrieval.quick_search import open_button
from lumikb_app.ui.components.sidebar import menu_sheet
from lumikb_app.ui.theme import ACCENT

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
            rx.text(
                "LumiKB",
                size="4",
                weight="bold",
                color=rx.color("gray", 12),
                display=rx.breakpoints(initial="none", sm="inline"),  # a phone keeps the logo
            ),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        aria_label="LumiKB home",
        flex_shrink="0",
    )


def color_mode_toggle() -> rx.Component:
    """Light or dark: the system's preference until the user picks one here (kept in the
    browser). A toggle button: pressed means dark."""
    return rx.icon_button(
        rx.color_mode_cond(light=rx.icon("moon", size=18), dark=rx.icon("sun", size=18)),
        on_click=rx.toggle_color_mode,
        variant="ghost",
        color_scheme="gray",
        size="3",
        aria_label="Dark mode",
        aria_pressed=rx.color_mode_cond(light="false", dark="true"),
        title=rx.color_mode_cond(light="Switch to dark mode", dark="Switch to light mode"),
        custom_attrs=testid("color-mode-toggle"),
    )


def _search_slot() -> rx.Component:
    """The quick-search button, shrunk to the room there is (a phone has less than 260 px)."""
    return rx.box(
        open_button(),
        flex="0 1 260px",
        min_width="0",
        margin_x="auto",
        style={"& > button": {"width": "100%", "min-width": "0", "overflow": "hidden"}},
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
                    fallback=AppState.user_initials,
                    size="1",
                    radius="full",
                    variant="soft",
                    color_scheme=ACCENT,
                ),
                rx.text(
                    AppState.user_name,
                    size="2",
                    weight="medium",
                    as_="span",
                    # A phone has no room for the name: screen readers still hear it.
                    style=rx.breakpoints(initial=VISUALLY_HIDDEN, md=SHOWN),
                    custom_attrs=testid("user-name"),
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
    return rx.el.header(
        rx.hstack(
            menu_sheet(),
            brand(),
            _search_slot(),
            color_mode_toggle(),
            user_menu(),
            align="center",
            spacing="3",
            height="100%",
            width="100%",
        ),
        padding_x=rx.breakpoints(initial="12px", md="20px"),
        height=TOP_BAR_HEIGHT,
        min_height=TOP_BAR_HEIGHT,
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        width="100%",
        custom_attrs=testid("top-bar"),
    )
