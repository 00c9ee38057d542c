"""Home: a welcome and the user's knowledge bases, or an empty state."""

import reflex as rx

from lumikb_app.state.knowledge_bases.kb_creation import KbCreationState
from lumikb_app.state.session import AppState
from lumikb_app.state.shell import KbSummary, NewKbState, ShellState
from lumikb_app.ui.components.common import outcome, testid
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
                "Create one for your team's documents, or ask someone to give you access to "
                "theirs. Every knowledge base you can read appears here and in the sidebar.",
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


def _new_kb_field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium"), control, spacing="1", width="100%"
    )


def new_kb_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("plus", size=16), "New knowledge base", custom_attrs=testid("new-kb"))
        ),
        rx.dialog.content(
            rx.dialog.title("New knowledge base"),
            rx.dialog.description(
                "You become its administrator: you can upload documents and give others access.",
                size="2",
                color=rx.color("gray", 11),
                margin_bottom="16px",
            ),
            rx.form(
                rx.vstack(
                    outcome(NewKbState.new_kb_error, error=True, name="new-kb-error"),
                    _new_kb_field(
                        "Name",
                        rx.input(
                            name="name",
                            placeholder="e.g. Engineering Handbook",
                            max_length=120,
                            auto_focus=True,
                            width="100%",
                            custom_attrs=testid("new-kb-name"),
                        ),
                    ),
                    _new_kb_field(
                        "Description",
                        rx.text_area(
                            name="description",
                            placeholder="What belongs here (optional)",
                            max_length=2000,
                            rows="3",
                            width="100%",
                            custom_attrs=testid("new-kb-description"),
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", type="button", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Create", type="submit", custom_attrs=testid("new-kb-submit")),
                        justify="end",
                        spacing="3",
                        width="100%",
                        margin_top="8px",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=NewKbState.create_kb,
                reset_on_submit=False,
                custom_attrs=testid("new-kb-form"),
            ),
            max_width="480px",
        ),
        open=NewKbState.new_kb_open,
        on_open_change=NewKbState.new_kb_dialog_changed,
    )


def home_page() -> rx.Component:
    return shell(
        rx.hstack(
            page_header(
                "Welcome, " + AppState.user_name,
                "Your knowledge bases. Search, chat and the graph work across every one you can read.",
            ),
            rx.spacer(),
            rx.cond(KbCreationState.may_create_kbs, new_kb_dialog()),
            align="start",
            width="100%",
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
