"""Home: a welcome and the user's knowledge bases (each with its document count and last
activity), or an empty state; and the archived ones the user may restore."""

import reflex as rx

from lumikb_app.state.knowledge_bases.home import HomeState
from lumikb_app.state.knowledge_bases.home_cards import KbCard
from lumikb_app.state.knowledge_bases.kb_creation import KbCreationState
from lumikb_app.state.session import AppState
from lumikb_app.state.shell import NewKbState, ShellState
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.confirm_dialog import confirm_action_dialog
from lumikb_app.ui.components.forms import dialog_foot, field_label
from lumikb_app.ui.components.shell import page_header, shell


def _kb_icon(color: str = "accent") -> rx.Component:
    return rx.center(
        rx.icon("book-open", size=18, color=rx.color(color, 11)),
        width="36px",
        height="36px",
        border_radius="9px",
        background=rx.color(color, 3),
        flex_shrink="0",
    )


def _card_facts(kb: KbCard) -> rx.Component:
    """The document count and the last activity (the exact moment in the tooltip)."""
    return rx.hstack(
        rx.hstack(
            rx.icon("file-text", size=14, aria_hidden="true"),
            rx.text(kb.documents, custom_attrs=testid("kb-card-documents")),
            spacing="1",
            align="center",
        ),
        rx.hstack(
            rx.icon("clock", size=14, aria_hidden="true"),
            rx.text(kb.activity, title=kb.when, custom_attrs=testid("kb-card-activity")),
            spacing="1",
            align="center",
        ),
        gap="4px 16px",  # close rows when the two facts wrap on a narrow card
        wrap="wrap",
        color=rx.color("gray", 11),
        font_size="13px",
    )


def _description(kb: KbCard) -> rx.Component:
    return rx.text(
        rx.cond(kb.description != "", kb.description, "No description."),
        size="2",
        color=rx.color("gray", 11),
        trim="both",
    )


def kb_card(kb: KbCard) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    _kb_icon(),
                    rx.text(
                        kb.name, size="3", weight="bold", color=rx.color("gray", 12), truncate=True
                    ),
                    align="center",
                    spacing="3",
                    width="100%",
                ),
                _description(kb),
                _card_facts(kb),
                spacing="3",
                align="start",
            ),
            height="100%",
            _hover={"box_shadow": f"0 0 0 1px {rx.color('accent', 8)}"},
        ),
        href="/kb/" + kb.id,
        underline="none",
        custom_attrs={**testid("kb-card"), "data-name": kb.name},
    )


def archived_card(kb: KbCard) -> rx.Component:
    """An archived KB: its admins can still open it, and restore it (after a confirmation)."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                _kb_icon("gray"),
                rx.link(kb.name, href="/kb/" + kb.id, size="3", weight="bold", truncate=True),
                align="center",
                spacing="3",
                width="100%",
            ),
            _description(kb),
            _card_facts(kb),
            rx.button(
                rx.icon("archive-restore", size=14),
                "Restore",
                variant="soft",
                color_scheme="green",
                size="2",
                on_click=HomeState.ask_restore(kb.id),
                custom_attrs={**testid("kb-restore"), "aria-label": "Restore " + kb.name},
            ),
            spacing="3",
            align="start",
        ),
        height="100%",
        custom_attrs={**testid("archived-kb-card"), "data-name": kb.name},
    )


def restore_dialog() -> rx.Component:
    return confirm_action_dialog(
        title="Restore knowledge base",
        description=rx.fragment(
            rx.text.span("Restore "),
            rx.text.strong(HomeState.restore_name),
            rx.text.span("? It comes back to the knowledge base list, the sidebar and search "),
            rx.text.span("for everyone who has access to it."),
        ),
        confirm_label="Restore",
        color_scheme="green",
        on_confirm=HomeState.restore_kb,
        is_open=HomeState.restore_open,
        on_open_change=HomeState.restore_dialog_changed,
        name="restore",
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


def _new_kb_field(label: str, field_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(field_label(label, field_id), control, spacing="1", width="100%")


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
                        "new-kb-name",
                        rx.input(
                            id="new-kb-name",
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
                        "new-kb-description",
                        rx.text_area(
                            id="new-kb-description",
                            name="description",
                            placeholder="What belongs here (optional)",
                            max_length=2000,
                            rows="3",
                            width="100%",
                            custom_attrs=testid("new-kb-description"),
                        ),
                    ),
                    dialog_foot(
                        rx.button("Create", type="submit", custom_attrs=testid("new-kb-submit")),
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


def _kb_grid(cards: rx.Var, card, name: str) -> rx.Component:
    return rx.grid(
        rx.foreach(cards, card),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="4",
        width="100%",
        custom_attrs=testid(name),
    )


def archived_list() -> rx.Component:
    return rx.cond(
        HomeState.has_archived,
        _kb_grid(HomeState.archived_cards, archived_card, "archived-kbs"),
        rx.text(
            "No archived knowledge bases that you administer. Archiving one (in its settings) "
            "hides it from lists and search until it is restored here.",
            size="2",
            color=rx.color("gray", 11),
            custom_attrs=testid("archived-empty"),
        ),
    )


def home_tabs() -> rx.Component:
    """The user's knowledge bases, or (the "Archived" filter) the archived ones to restore."""
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("Knowledge bases", value="active", custom_attrs=testid("tab-active")),
            rx.tabs.trigger("Archived", value="archived", custom_attrs=testid("tab-archived")),
            custom_attrs={"aria-label": "Which knowledge bases to show"},
        ),
        rx.tabs.content(
            rx.cond(
                ShellState.has_kbs, _kb_grid(HomeState.cards, kb_card, "kb-cards"), empty_state()
            ),
            value="active",
            padding_top="16px",
        ),
        rx.tabs.content(archived_list(), value="archived", padding_top="16px"),
        value=HomeState.home_filter,
        on_change=HomeState.set_home_filter,
        width="100%",
        custom_attrs=testid("home-filter"),
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
            wrap="wrap",
        ),
        outcome(HomeState.home_error, error=True, name="home-error"),
        outcome(HomeState.home_notice, error=False, name="home-notice"),
        home_tabs(),
        restore_dialog(),
    )
