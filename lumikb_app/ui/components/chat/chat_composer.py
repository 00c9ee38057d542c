"""The question box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. A new
conversation can be limited to one knowledge base."""

import reflex as rx

from lumikb_app.state.chat.chat import ALL_KBS, QUESTION_INPUT_ID, ChatState
from lumikb_app.state.shell import KbSummary
from lumikb_app.ui.components.common import testid

MAX_QUESTION_CHARS = 2000


def _scope_select() -> rx.Component:
    def option(kb: KbSummary) -> rx.Component:
        return rx.select.item(kb.name, value=kb.id)

    return rx.hstack(
        rx.icon("library-big", size=14, color=rx.color("gray", 10)),
        rx.text("Search in", size="1", color=rx.color("gray", 10)),
        rx.select.root(
            rx.select.trigger(variant="ghost", custom_attrs=testid("chat-scope")),
            rx.select.content(
                rx.select.item("All knowledge bases", value=ALL_KBS),
                rx.foreach(ChatState.kbs, option),
            ),
            value=ChatState.new_scope,
            on_change=ChatState.set_new_scope,
            size="1",
        ),
        align="center",
        spacing="2",
    )


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
                rx.cond(ChatState.has_conversation, rx.fragment(), _scope_select()),
                rx.spacer(),
                rx.text(
                    "Enter to send · Shift+Enter for a new line",
                    size="1",
                    color=rx.color("gray", 9),
                    display=["none", "none", "block"],
                ),
                _send_or_stop(),
                align="center",
                spacing="3",
                padding="4px 8px 8px 12px",
            ),
            border=f"1px solid {rx.color('gray', 6)}",
            border_radius="14px",
            background="white",
            box_shadow="0 1px 2px rgba(15, 23, 42, 0.06), 0 4px 16px rgba(15, 23, 42, 0.05)",
            _focus_within={"border_color": rx.color("accent", 8)},
        ),
        on_submit=ChatState.send,
        reset_on_submit=True,
        width="100%",
        custom_attrs=testid("chat-composer"),
    )
