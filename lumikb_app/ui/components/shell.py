"""The desktop shell: top bar, left sidebar, main pane. Rendered only for a validated session."""

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


def shell(*content: rx.Component) -> rx.Component:
    """Wrap a page's content in the shell; until on_load has validated the session, a spinner."""
    return rx.cond(
        AppState.signed_in,
        rx.vstack(
            hydration_marker(),
            quick_search(),
            top_bar(),
            rx.hstack(
                sidebar(),
                rx.box(
                    rx.box(*content, max_width="1100px", width="100%", margin_x="auto"),
                    flex="1",
                    height="100%",
                    overflow_y="auto",
                    padding="28px 32px",
                    background=rx.color("gray", 1),
                    custom_attrs=testid("main-pane"),
                ),
                spacing="0",
                width="100%",
                height=f"calc(100vh - {TOP_BAR_HEIGHT})",
                align="stretch",
            ),
            spacing="0",
            width="100%",
            height="100vh",
            custom_attrs=testid("shell"),
        ),
        loading_screen(),
    )
