"""Home: a welcome and the user's knowledge bases, or an empty state."""

import reflex as rx

from lumikb_app.state.session import AppState
from lumikb_app.state.shell import KbSummary, ShellState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.shell import page_header, shell


def kb_card(kb: KbSummary) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.center(
                        rx.icon("book-open", size=18, color=rx.color("accent", 11)),
                        width="36px",
                        height="36px",
                        border_radius="9px",
                        background=rx.color("accent", 3),
                    ),
                    rx.text(
                        kb.name, size="3", weight="bold", color=rx.color("gray", 12), truncate=True
                    ),
                    align="center",
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    rx.cond(kb.description != "", kb.description, "No description."),
                    size="2",
                    color=rx.color("gray", 11),
                    trim="both",
                ),
                spacing="3",
                align="start",
            ),
            height="100%",
            _hover={"box_shadow": f"0 0 0 1px {rx.color('accent', 8)}"},
        ),
        href="/kb/" + kb.id,
        underline="none",
        custom_attrs=testid("kb-card"),
    )


def empty_state() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("library", size=32, color=rx.color("gray", 9)),
            rx.heading("No knowledge bases yet", size="4"),
            rx.text(
                "When an administrator creates a knowledge base or gives you access to one, "
                "it appears here and in the sidebar.",
                size="2",
                color=rx.color("gray", 11),
                align="center",
                max_width="440px",
            ),
            align="center",
            spacing="3",
            padding="40px 24px",
        ),
        width="100%",
        custom_attrs=testid("home-empty"),
    )


def home_page() -> rx.Component:
    return shell(
        page_header(
            "Welcome, " + AppState.user_name,
            "Your knowledge bases. Search, chat and the graph work across every one you can read.",
        ),
        rx.cond(
            ShellState.has_kbs,
            rx.grid(
                rx.foreach(ShellState.kbs, kb_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            empty_state(),
        ),
    )
