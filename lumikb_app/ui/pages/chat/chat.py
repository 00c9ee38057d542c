"""The chat page: conversations on the left; the open conversation, its streamed answer with
citations and sources, and the question box on the right."""

import reflex as rx

from lumikb_app.state.chat.chat import ChatState
from lumikb_app.ui.components.chat.chat_composer import composer
from lumikb_app.ui.components.chat.chat_feedback import feedback_dialog
from lumikb_app.ui.components.chat.chat_message import chat_message, streaming_answer
from lumikb_app.ui.components.chat.chat_sidebar import conversation_list
from lumikb_app.ui.components.chat.chat_sources import ONE_LINE
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.shell import shell
from lumikb_app.ui.components.top_bar import TOP_BAR_HEIGHT

# The shell's main pane pads 28px above and below; the chat fills the rest of the window.
CHAT_HEIGHT = f"calc(100vh - {TOP_BAR_HEIGHT} - 56px)"


def _header() -> rx.Component:
    return rx.hstack(
        rx.icon("messages-square", size=20, color=rx.color("accent", 11)),
        rx.heading(
            ChatState.header_title,
            size="4",
            weight="bold",
            style=ONE_LINE,
            custom_attrs=testid("chat-title"),
        ),
        rx.spacer(),
        rx.badge(
            rx.icon("library-big", size=12),
            ChatState.scope_label,
            variant="surface",
            color_scheme="gray",
            custom_attrs=testid("chat-scope-label"),
        ),
        align="center",
        spacing="2",
        width="100%",
        padding_bottom="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _welcome() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon("sparkles", size=26, color=rx.color("accent", 11)),
                width="56px",
                height="56px",
                border_radius="16px",
                background=rx.color("accent", 3),
            ),
            rx.heading("Ask your knowledge bases", size="5"),
            rx.text(
                "Answers cite the exact passage they come from. Hover a numbered source to "
                "preview it; click it to open the page.",
                size="2",
                color=rx.color("gray", 11),
                align="center",
                max_width="420px",
            ),
            align="center",
            spacing="3",
        ),
        width="100%",
        padding_y="64px",
        custom_attrs=testid("chat-welcome"),
    )


def _error() -> rx.Component:
    return outcome(ChatState.chat_error, error=True, name="chat-error")


def _messages() -> rx.Component:
    # column-reverse keeps the view pinned to the newest text while tokens arrive.
    return rx.box(
        rx.vstack(
            rx.cond(
                ChatState.chat_loaded
                & ~ChatState.has_conversation
                & (ChatState.messages.length() == 0)
                & ~ChatState.streaming,
                _welcome(),
            ),
            rx.foreach(ChatState.messages, chat_message),
            rx.cond(ChatState.streaming, streaming_answer()),
            _error(),
            spacing="5",
            width="100%",
            padding="20px 8px 8px",
            custom_attrs=testid("chat-messages"),
        ),
        flex="1",
        min_height="0",
        overflow_y="auto",
        display="flex",
        flex_direction="column-reverse",
        width="100%",
    )


def _conversation() -> rx.Component:
    return rx.vstack(
        _header(),
        _messages(),
        composer(),
        spacing="3",
        flex="1",
        min_width="0",
        height="100%",
        padding_left="20px",
    )


def chat_page() -> rx.Component:
    return shell(
        rx.hstack(
            conversation_list(),
            _conversation(),
            feedback_dialog(),
            spacing="0",
            width="100%",
            height=CHAT_HEIGHT,
            min_height="480px",
            align="stretch",
            custom_attrs={**testid("chat-page"), "data-streaming": ChatState.streaming},
        )
    )
