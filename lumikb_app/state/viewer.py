"""Document viewer state: one document, opened at a page with a passage highlighted."""

import reflex as rx

from lumikb_app.state.session import AppState


class ViewerState(AppState):
    @rx.event
    def load(self):
        pass
