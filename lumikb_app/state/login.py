"""The login page: shows the neutral failure message and carries `next` into the form post."""

import reflex as rx

from lumikb_app.services.auth import LOGIN_FAILED_MESSAGE
from lumikb_app.state.session import AppState


def _relative_path(target: str) -> str:
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class LoginState(AppState):
    show_error: bool = False
    next_path: str = "/"

    @rx.event
    async def prepare(self):
        params = self.router.url.query_parameters
        self.show_error = params.get("error") == "1"
        self.next_path = _relative_path(params.get("next", "/"))
        user = await self.current_user()
        if user is not None:
            return rx.redirect(self.next_path)
        self._forget_user()
        return None

    @rx.var
    def error_message(self) -> str:
        return LOGIN_FAILED_MESSAGE if self.show_error else ""
