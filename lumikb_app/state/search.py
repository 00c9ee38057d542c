"""Search page and quick-search palette state."""

import reflex as rx

from lumikb_app.state.session import AppState


class SearchState(AppState):
    @rx.event
    def load(self):
        pass
