"""The question box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. The
scope (every knowledge base, or any several) is chosen here, for a new conversation or the
open one."""

import reflex as rx

from lumikb_app.state.chat.chat import ALL_KBS, QUESTION_INPUT_ID, ChatState
from lumikb_app.state.shell import KbSummary
from lumikb_app.ui.components.common import testid

MAX_QUESTION_CHARS = 2000


def _scope_option(kb: KbSummary) -> rx.Component:
    return rx.checkbox(
        kb.name,
        checked=ChatState.scope_kb_ids.contains(kb.id),
        on_change=lambda checked: ChatState.toggle_scope(kb.id, checked),
        custom_attrs={**testid("scope-option"), "data-id": kb.id},
    )


def _scope_select() -> rx.Component:
    """Which knowledge bases answers come from: every one, or any several."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("library-big", size=14),
                rx.text(ChatState.scope_label, style={"max_width": "220px", **_ONE_LINE}),
                rx.icon("chevron-down", size=14),
                type="button",
                variant="ghost",
                color_scheme="gray",
                size="1",
                title="Knowledge bases to search",
                custom_attrs=testid("chat-scope"),
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Search in", size="1", weight="bold", color=rx.color("gray", 11)),
                rx.checkbox(
                    "All knowledge bases",
                    checked=ChatState.scope_count == 0,
                    on_change=lambda checked: ChatState.toggle_scope(ALL_KBS, checked),
                    custom_attrs=testid("scope-all"),
                ),
                rx.separator(size="4"),
                rx.foreach(ChatState.kbs, _scope_option),
                spacing="2",
            ),
            side="top",
            align="start",
            max_height="320px",
            overflow_y="auto",
            custom_attrs=testid("scope-menu"),
        ),
    )


_ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis"}


def _send_or_stop() -> rx.Component:
    return rx.cond(
        ChatState.streaming,
        rx.button(
            rx.icon("square", size=14),
            "Stop",
            type="button",
            color_scheme="gray",
            variant="soft",
            on_click=ChatState.stop,
            disabled=ChatState.stopping,
            custom_attrs=testid("chat-stop"),
        ),
        rx.button(
            rx.icon("arrow-up", size=16),
            "Send",
            type="submit",
            custom_attrs=testid("chat-send"),
        ),
    )


def composer() -> rx.Component:
    return rx.form(
        rx.box(
            rx.text_area(
                name="question",
                id=QUESTION_INPUT_ID,  # a refused question is put back (rx.set_value)
                placeholder=rx.cond(
                    ChatState.streaming,
                    "Wait for the answer, or stop it…",
                    "Ask a question about your documents…",
                ),
                enter_key_submit=True,
                auto_height=True,
                rows="2",
                max_length=MAX_QUESTION_CHARS,
                disabled=ChatState.streaming,
                variant="soft",
                size="3",
                width="100%",
                max_height="200px",
                background="transparent",
                outline="none",
                style={"box_shadow": "none", "resize": "none"},
                custom_attrs=testid("chat-input"),
            ),
            rx.hstack(
                _scope_select(),
                rx.spacer(),
                rx.text(
                    "Enter to send · Shift+Enter for a new line",
                    size="1",
                    color=rx.color("gray", 11),
                    display=["none", "none", "block"],
                ),
                _send_or_stop(),
                align="center",
                spacing="3",
                padding="4px 8px 8px 12px",
            ),
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="14px",
            background="var(--color-panel-solid)",
            box_shadow="0 1px 2px rgba(15, 23, 42, 0.06), 0 4px 16px rgba(15, 23, 42, 0.05)",
            _focus_within={"border_color": rx.color("accent", 8)},
        ),
        rx.cond(
            ChatState.scope_error != "",
            rx.text(
                ChatState.scope_error,
                size="2",
                color=rx.color("red", 11),
                custom_attrs=testid("scope-error"),
            ),
        ),
        on_submit=ChatState.send,
        reset_on_submit=True,
        width="100%",
        custom_attrs=testid("chat-composer"),
    )
