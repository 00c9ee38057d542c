"""The chat page: conversations, streamed answers with citations, sources."""

import reflex as rx

from lumikb_app.ui.components.shell import page_header, shell


def chat_page() -> rx.Component:
    return shell(
        page_header(
            "Chat",
            "Ask questions and get answers that cite the exact passage.",
            icon="messages-square",
        ),
    )
