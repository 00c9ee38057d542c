"""The chat page: conversations on the left (on a phone or tablet, a drawer behind a button, so
the messages come first); the open conversation, its streamed answer with citations and
sources, and the question box on the right."""

import reflex as rx

from lumikb_app.state.chat.chat import ChatState
from lumikb_app.ui.components.chat.chat_composer import composer
from lumikb_app.ui.components.chat.chat_feedback import feedback_dialog
from lumikb_app.ui.components.chat.chat_message import chat_message, streaming_answer
from lumikb_app.ui.components.chat.chat_sidebar import PHONE_ONLY, conversation_list, list_backdrop
from lumikb_app.ui.components.chat.chat_sources import ONE_LINE
from lumikb_app.ui.components.common import outcome, testid
from lumikb_app.ui.components.shell import shell
from lumikb_app.ui.components.top_bar import TOP_BAR_HEIGHT

# The shell's main pane pads 16px (phone), 24px (tablet) or 28px (desktop) above and below; the
# chat fills the rest of the window.
CHAT_HEIGHT = rx.breakpoints(
    initial=f"calc(100dvh - {TOP_BAR_HEIGHT} - 32px)",
    sm=f"calc(100dvh - {TOP_BAR_HEIGHT} - 48px)",
    md=f"calc(100dvh - {TOP_BAR_HEIGHT} - 56px)",
)


def _list_button() -> rx.Component:
    return rx.icon_button(
        rx.icon("panel-left-open", size=18),
        variant="soft",
        color_scheme="gray",
        on_click=ChatState.set_list_open(True),
        display=PHONE_ONLY,
        custom_attrs={**testid("conversations-open"), "aria-label": "Show conversations"},
    )


def _export_button() -> rx.Component:
    return rx.cond(
        ChatState.has_conversation & (ChatState.messages.length() > 0),
        rx.tooltip(
            rx.icon_button(
                rx.icon("download", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=ChatState.export_conversation,
                custom_attrs={
                    **testid("export-conversation"),
                    "aria-label": "Export conversation as Markdown",
                },
            ),
            content="Export as Markdown",
        ),
    )


def _header() -> rx.Component:
    return rx.hstack(
        _list_button(),
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
            rx.text(ChatState.scope_label, style=ONE_LINE),
            variant="surface",
            color_scheme="gray",
            max_width=["120px", "200px", "280px"],
            custom_attrs=testid("chat-scope-label"),
        ),
        _export_button(),
        align="center",
        spacing="2",
        width="100%",
        padding_bottom="12px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def _suggestion(question: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("message-circle-question", size=14, flex_shrink="0"),
        rx.text(question, style={"white_space": "normal", "text_align": "left"}),
        variant="surface",
        color_scheme="gray",
        size="2",
        height="auto",
        padding="8px 12px",
        justify_content="flex-start",
        width="100%",
        on_click=ChatState.ask_suggestion(question),
        disabled=ChatState.streaming,
        custom_attrs=testid("suggestion"),
    )


def _suggestions() -> rx.Component:
    return rx.cond(
        ChatState.suggestions.length() > 0,
        rx.vstack(
            rx.text("Try asking", size="1", weight="bold", color=rx.color("gray", 11)),
            rx.grid(
                rx.foreach(ChatState.suggestions, _suggestion),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="2",
                width="100%",
            ),
            spacing="2",
            width="min(640px, 100%)",
            padding_top="8px",
            custom_attrs=testid("suggestions"),
        ),
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
            _suggestions(),
            align="center",
            spacing="3",
        ),
        width="100%",
        padding_y=["24px", "40px", "64px"],
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
        padding_left=["0", "0", "0", "20px"],
        custom_attrs={"role": "region", "aria-label": "Conversation"},
    )


def chat_page() -> rx.Component:
    return shell(
        rx.hstack(
            conversation_list(),
            list_backdrop(),
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
