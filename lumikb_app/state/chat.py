"""Chat page state: conversations, the streamed answer, sources and feedback."""

import reflex as rx

from lumikb_app.state.session import AppState


class ChatState(AppState):
    @rx.event
    def load(self):
        pass
