"""Public pages, no session needed: a password reset through a one-time link, and self-registration.

Passwords and the reset token are never kept in state or logged: the token is read from the
page URL when the form is submitted, the passwords from the submitted form data.
"""

import asyncio

import reflex as rx

from lumikb_app.services.accounts import users
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.accounts.passwords import WeakPasswordError
from lumikb_app.state.event_rules import public
from lumikb_app.state.session import client_ip

MISMATCH = "The password and its confirmation do not match."
REGISTERED_URL = "/login?registered=1"
REGISTRATION_OFF = "Self-registration is turned off. Ask an administrator for an account."


def _field(form_data: dict, name: str) -> str:
    return str(form_data.get(name, ""))


class ResetPasswordState(rx.State):
    has_token: bool = False
    done: bool = False
    error: str = ""

    def _token(self) -> str:
        return self.router.url.query_parameters.get("token", "")

    @rx.event
    @public
    def prepare(self):
        self.done = False
        self.has_token = bool(self._token())
        self.error = "" if self.has_token else users.INVALID_RESET

    @rx.event
    @public
    async def submit(self, form_data: dict):
        self.error = ""
        password, confirm = _field(form_data, "new_password"), _field(form_data, "confirm_password")
        if password != confirm:
            self.error = MISMATCH
            return
        try:
            await asyncio.to_thread(users.reset_password, self._token(), password, client_ip(self))
        except (InvalidInput, WeakPasswordError) as error:
            self.error = str(error)
            return
        self.done = True


class RegisterState(rx.State):
    checked: bool = False
    enabled: bool = False
    error: str = ""

    @rx.event
    @public
    async def prepare(self):
        self.error = ""
        self.enabled = await asyncio.to_thread(users.self_registration_enabled)
        self.checked = True

    @rx.event
    @public
    async def submit(self, form_data: dict):
        self.error = ""
        password, confirm = _field(form_data, "password"), _field(form_data, "confirm_password")
        if password != confirm:
            self.error = MISMATCH
            return None
        try:
            await asyncio.to_thread(
                users.register,
                email=_field(form_data, "email"),
                display_name=_field(form_data, "display_name"),
                password=password,
                ip=client_ip(self),
            )
        except PermissionDenied:
            self.enabled = False
            return None
        except (InvalidInput, WeakPasswordError) as error:
            self.error = str(error)
            return None
        return rx.redirect(REGISTERED_URL)
