"""The question box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. The
scope (every knowledge base, or any several) is chosen here, for a new conversation or the
open one."""

import reflex as rx

from lumikb_app.state.chat.chat import ALL_KBS, QUESTION_INPUT_ID, ChatState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.kb_picker import KbPickerIds, KbPickerLook, kb_picker

MAX_QUESTION_CHARS = 2000


def _scope_select() -> rx.Component:
    """Which knowledge bases answers come from: every one, or any several."""
    return kb_picker(
        kbs=ChatState.kbs,
        chosen=ChatState.scope_kb_ids,
        label=ChatState.scope_label,
        on_pick=ChatState.toggle_scope,
        on_all=lambda checked: ChatState.toggle_scope(ALL_KBS, checked),
        ids=KbPickerIds(
            trigger="chat-scope", menu="scope-menu", all="scope-all", option="scope-option"
        ),
        look=KbPickerLook(variant="ghost", size="1", side="top"),
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
