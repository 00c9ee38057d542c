"""The account page: the signed-in user changes their own password (the current one is required)
and manages their personal API tokens.

Passwords arrive in the submitted form data only; they are never kept in state or logged.
A new token's plaintext stays in state only until it is dismissed or the page is loaded again.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from lumikb_app.db.tables import ApiToken
from lumikb_app.services.accounts import api_tokens, users
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.accounts.passwords import WeakPasswordError
from lumikb_app.state.session import AppState, session_token

PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")
MISMATCH = "The new password and its confirmation do not match."
SAME_AS_OLD = "The new password must differ from the current one."
CHANGED = (
    "Your password has been changed. Your other sessions were signed out and your API tokens "
    "were revoked: create new tokens for your scripts."
)
EXPIRY_LABELS = {"30": "30 days", "90": "90 days", "365": "1 year", "never": "Never"}
EXPIRY_CHOICES = tuple((key, EXPIRY_LABELS[key]) for key in api_tokens.EXPIRY_CHOICES)


@dataclass
class TokenRow:
    id: str
    name: str
    prefix: str
    created: str
    last_used: str
    expires: str
    expired: bool


def _when(moment: datetime | None, empty: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else empty


def token_row(token: ApiToken) -> TokenRow:
    return TokenRow(
        id=token.id,
        name=token.name,
        prefix=f"{token.prefix}…",
        created=_when(token.created_at, ""),
        last_used=_when(token.last_used_at, "Never"),
        expires=_when(token.expires_at, "Never"),
        expired=not api_tokens.is_active(token),
    )


class AccountState(AppState):
    password_error: str = ""
    password_notice: str = ""
    tokens: list[TokenRow] = []
    token_error: str = ""
    new_token: str = ""  # the plaintext of a token just created, shown once
    new_token_name: str = ""

    @rx.event
    def clear_messages(self):
        """on_load: a fresh page shows no earlier outcome (nor an earlier new token)."""
        self.password_error = ""
        self.password_notice = ""
        self.token_error = ""
        self.new_token = ""
        self.new_token_name = ""
        return AccountState.load_tokens

    @rx.event
    async def load_tokens(self):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/account")
        found = await asyncio.to_thread(api_tokens.list_tokens, user)
        self.tokens = [token_row(token) for token in found]
        return None

    @rx.event
    async def create_token(self, form_data: dict):
        self.token_error = ""
        self.new_token = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/account")
        name = str(form_data.get("token_name", ""))
        try:
            days = api_tokens.expiry_from_choice(form_data.get("token_expiry"))
            plaintext, token = await asyncio.to_thread(
                api_tokens.create_token, user, name, days, ip=self._ip()
            )
        except (api_tokens.TokenInputError, PermissionDenied) as error:
            self.token_error = str(error)
            return None
        self.new_token, self.new_token_name = plaintext, token.name
        return [rx.set_value("token_name", ""), AccountState.load_tokens]

    @rx.event
    def dismiss_new_token(self):
        self.new_token = ""
        self.new_token_name = ""

    @rx.event
    async def revoke_token(self, token_id: str):
        self.token_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/account")
        try:
            await asyncio.to_thread(api_tokens.revoke_token, user, token_id, ip=self._ip())
        except PermissionDenied as error:
            self.token_error = str(error)
        return AccountState.load_tokens

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
                users.change_password,
                user,
                old,
                new,
                self._ip(),
                current_session=session_token(self.router.headers.cookie),
            )
        except (InvalidInput, WeakPasswordError) as error:
            self.password_error = str(error)
            return None
        self.password_notice = CHANGED
        return [*(rx.set_value(name, "") for name in PASSWORD_FIELDS), AccountState.load_tokens]
