"""The shell: top bar, sidebar (a menu sheet on a narrow screen), main pane. Rendered only for a
validated session."""

import reflex as rx

from lumikb_app.state.session import AppState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.retrieval.quick_search import quick_search
from lumikb_app.ui.components.sidebar import sidebar
from lumikb_app.ui.components.top_bar import TOP_BAR_HEIGHT, top_bar


def loading_screen() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.spinner(size="3"),
            rx.text("Loading LumiKB…", size="2", color=rx.color("gray", 10)),
            align="center",
            spacing="3",
        ),
        height="100vh",
        width="100%",
        custom_attrs=testid("shell-loading"),
    )


def page_header(
    title: str | rx.Var, subtitle: str | rx.Var = "", icon: str | None = None
) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon(icon, size=22, color=rx.color("accent", 11)) if icon else rx.fragment(),
            rx.heading(title, size="6", weight="bold", custom_attrs=testid("page-title")),
            align="center",
            spacing="2",
        ),
        rx.cond(subtitle != "", rx.text(subtitle, size="2", color=rx.color("gray", 11))),
        spacing="1",
        margin_bottom="20px",
    )


def hydration_marker() -> rx.Component:
    """Present once the page's on_load handlers have run (the e2e tests wait for it)."""
    return rx.cond(rx.State.is_hydrated, rx.box(display="none", custom_attrs=testid("hydrated")))


def main_pane_loading() -> rx.Component:
    return rx.center(
        rx.spinner(size="3"), width="100%", padding_y="80px", custom_attrs=testid("pane-loading")
    )


def skip_link() -> rx.Component:
    """The first thing Tab reaches: straight to the page's content, past the top bar and
    sidebar. Out of sight until it has the focus."""
    return rx.el.a(
        "Skip to content",
        href="#main-content",
        position="absolute",
        left="8px",
        top="-48px",
        z_index="100",
        padding="8px 12px",
        border_radius="6px",
        background=rx.color("accent", 9),
        color="white",
        _focus={"top": "8px"},
        # The address bar's #main-content alone scrolls there but leaves the focus behind.
        on_click=rx.call_script("document.getElementById('main-content').focus()"),
        custom_attrs=testid("skip-link"),
    )


def shell(*content: rx.Component) -> rx.Component:
    """Wrap a page's content in the shell; until on_load has validated the session, a spinner.

    A wide screen shows the sidebar beside the main pane; a narrow one (a phone, an upright
    tablet) gives the main pane the whole width and the sidebar's navigation to the top bar's
    menu sheet."""
    return rx.cond(
        AppState.signed_in,
        rx.vstack(
            hydration_marker(),
            skip_link(),
            quick_search(),
            top_bar(),
            rx.hstack(
                sidebar(),
                rx.el.main(
                    rx.box(*content, max_width="1100px", width="100%", margin_x="auto"),
                    id="main-content",
                    tab_index=-1,
                    flex="1",
                    min_width="0",  # a wide child scrolls inside, never widens the page
                    height="100%",
                    overflow_y="auto",
                    padding=rx.breakpoints(initial="16px 12px", sm="24px 24px", md="28px 32px"),
                    background=rx.color("gray", 1),
                    _focus={"outline": "none"},
                    custom_attrs=testid("main-pane"),
                ),
                spacing="0",
                width="100%",
                height=f"calc(100dvh - {TOP_BAR_HEIGHT})",
                align="stretch",
            ),
            spacing="0",
            width="100%",
            height="100dvh",
            custom_attrs=testid("shell"),
        ),
        loading_screen(),
    )
