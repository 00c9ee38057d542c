"""The login page: shows the neutral failure or lockout message and carries `next` into the form post.

After a failed sign-in the page comes back with the email filled in. The form is a plain post
(api/accounts/auth.py), whose answer must not differ between a wrong password and an unknown
account, so the server does not echo the email: the browser keeps what was typed in this tab's
sessionStorage at submit, and the page puts it back only when it shows an error.
"""

import asyncio
import json

import reflex as rx

from lumikb_app.container import get_container
from lumikb_app.services.accounts import users
from lumikb_app.services.accounts.auth import LOCKED_MESSAGE, LOGIN_FAILED_MESSAGE
from lumikb_app.services.accounts.oidc import FAILED_MESSAGE as SSO_FAILED_MESSAGE
from lumikb_app.state.event_rules import public
from lumikb_app.state.session import AppState


def _relative_path(target: str) -> str:
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


UNAVAILABLE_MESSAGE = "Signing in is unavailable right now: try again in a moment."
EMAIL_KEY = "lumikb-login-email"
_KEEP_EMAIL_JS = """(() => {
  const key = %(key)s, restore = %(restore)s;
  const form = document.querySelector('[data-testid="login-form"]');
  const email = form && form.querySelector('input[name="email"]');
  if (!email) return;
  const store = globalThis.sessionStorage;
  if (!form.dataset.keepsEmail) {
    form.dataset.keepsEmail = "1";
    form.addEventListener("submit", () => { try { store.setItem(key, email.value); } catch (e) {} });
  }
  let typed = null;
  try { typed = restore ? store.getItem(key) : (store.removeItem(key), null); } catch (e) {}
  if (typed && !email.value) {
    email.value = typed;
    const password = form.querySelector('input[name="password"]');
    if (password) password.focus();
  }
})()"""


def keep_email_script(restore: bool) -> str:
    """Remember the typed email at submit; after a failure (`restore`) put it back, else forget it."""
    return _KEEP_EMAIL_JS % {"key": json.dumps(EMAIL_KEY), "restore": json.dumps(restore)}


class LoginState(AppState):
    show_error: bool = False
    unavailable: bool = False
    locked: bool = False
    next_path: str = "/"
    registration_open: bool = False
    sso_enabled: bool = False
    sso_failed: bool = False

    @rx.event
    @public
    async def prepare(self):
        params = self.router.url.query_parameters
        error = params.get("error", "")
        self.locked = error == "locked"
        self.sso_failed = error == "sso"
        self.unavailable = error == "unavailable"
        self.show_error = error == "1" or self.locked or self.sso_failed or self.unavailable
        self.sso_enabled = get_container().settings.sso_enabled
        self.next_path = _relative_path(params.get("next", "/"))
        user = await self.current_user()
        if user is not None:
            return rx.redirect(self.next_path)
        self._forget_user()
        self.registration_open = await asyncio.to_thread(users.self_registration_enabled)
        return rx.call_script(keep_email_script(self.show_error and not self.sso_failed))

    @rx.var
    def error_message(self) -> str:
        if self.locked:
            return LOCKED_MESSAGE
        if self.sso_failed:
            return SSO_FAILED_MESSAGE
        if self.unavailable:
            return UNAVAILABLE_MESSAGE
        return LOGIN_FAILED_MESSAGE if self.show_error else ""
