"""The account page: the signed-in user changes their own password (the current one is required).

Passwords arrive in the submitted form data only; they are never kept in state or logged.
"""

import asyncio

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.services import users
from lumikb_app.services.auth import InvalidInput
from lumikb_app.services.passwords import WeakPasswordError
from lumikb_app.services.tx import transaction
from lumikb_app.state.session import AppState

PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")
MISMATCH = "The new password and its confirmation do not match."
SAME_AS_OLD = "The new password must differ from the current one."
CHANGED = "Your password has been changed."


def _change_password(user: User, old: str, new: str, ip: str) -> None:
    with transaction() as session:
        users.change_password(session, user, old, new, ip=ip)


class AccountState(AppState):
    password_error: str = ""
    password_notice: str = ""

    @rx.event
    def clear_messages(self):
        """on_load: a fresh page shows no earlier outcome."""
        self.password_error = ""
        self.password_notice = ""

    @rx.event
    async def change_password(self, form_data: dict):
        self.password_error = ""
        self.password_notice = ""
        old, new, confirm = (str(form_data.get(name, "")) for name in PASSWORD_FIELDS)
        if not old or not new:
            self.password_error = "Enter your current password and a new one."
            return None
        if new != confirm:
            self.password_error = MISMATCH
            return None
        if new == old:
            self.password_error = SAME_AS_OLD
            return None
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/account")
        try:
            await asyncio.to_thread(
                _change_password, user, old, new, self.router.session.client_ip or ""
            )
        except (InvalidInput, WeakPasswordError) as error:
            self.password_error = str(error)
            return None
        self.password_notice = CHANGED
        return [rx.set_value(name, "") for name in PASSWORD_FIELDS]
