"""The signed-in user, read from the HttpOnly session cookie on every page load.

The cookie cannot be read by browser JavaScript (so `rx.Cookie` never sees it). Reflex keeps
the headers of the websocket handshake on the server, and that handshake carries the cookie:
`self.router.headers.cookie` holds it in event handlers (it is never sent to the browser).
A login or logout is a full page load, which opens a new websocket with the new cookie.

Each event looks the session up once: the event guard's lookup (state/event_guard.py) is kept
for the event's handler in a context variable, which the guard clears before every event, so a
revoked session is refused from the next event on, as before, for one lookup instead of two.
A background handler runs after the state lock is released, maybe much later: it looks the
session up itself when it asks for the user.
"""

from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

import reflex as rx

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.domain import log_context, network
from lumikb_app.services.accounts import access, auth, sign_in_threads
from lumikb_app.state.event_rules import public

LOGIN_ROUTE = "/login"
# (session token, its user or None) as looked up during the event being processed.
_checked_session: ContextVar[tuple[str, User | None] | None] = ContextVar(
    "lumikb_checked_session", default=None
)


def session_token(cookie_header: str) -> str | None:
    """The session token from a Cookie header, or None."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(auth.COOKIE_NAME)
    return morsel.value if morsel and morsel.value else None


def forget_checked_session() -> None:
    """Before each event (the event guard): the session is looked up again."""
    _checked_session.set(None)


async def user_for_cookie(cookie_header: str, *, remember: bool = True) -> User | None:
    """The active user behind the session cookie, looked up once per event (`remember`: keep
    the answer for the rest of this event)."""
    token = session_token(cookie_header)
    if token is None:
        return None
    checked = _checked_session.get()
    if checked is not None and checked[0] == token:
        user = checked[1]
    else:
        user = await sign_in_threads.lookup(auth.user_for_token, token)
        if remember:
            remember_checked_session(token, user)
    if user is not None:
        log_context.bind(user_id=user.id)  # this event's log lines say who acted
    return user


def remember_checked_session(token: str, user: User | None) -> None:
    """The rest of this event uses this lookup of `token`."""
    _checked_session.set((token, user))


def client_ip(state: rx.State) -> str:
    """The browser's address, for the audit log ("" when unknown).

    Reflex records the socket's peer (rxconfig leaves its trusted_proxy_hops at 0); its
    X-Forwarded-For counts only when that peer is one of TRUSTED_PROXIES, as on the HTTP routes."""
    forwarded_for = state.router.headers.raw_headers.get("x-forwarded-for", "")
    address = network.client_address(
        state.router.session.client_ip, forwarded_for, get_container().settings.trusted_proxies
    )
    return address or ""


def login_url(next_path: str) -> str:
    if not next_path or next_path == "/" or next_path.rstrip("/") == LOGIN_ROUTE:
        return LOGIN_ROUTE
    return f"{LOGIN_ROUTE}?next={quote(next_path, safe='/')}"


class AppState(rx.State):
    """Base state: who is signed in. Page states inherit from it."""

    _user_id: str = ""
    user_name: str = ""
    user_email: str = ""
    is_admin: bool = False
    signed_in: bool = False

    async def current_user(self) -> User | None:
        """Validate the session cookie of this connection for this event (revocation applies
        from the next event on)."""
        return await user_for_cookie(self.router.headers.cookie)

    async def current_admin(self) -> User | None:
        """The signed-in user if an active system administrator, else None (services check too)."""
        user = await self.current_user()
        return user if user is not None and access.is_admin(user) else None

    def _ip(self) -> str:
        """The browser's address, for the audit log ("" when unknown)."""
        return client_ip(self)

    def _browser_path(self) -> str:
        url = self.router.url
        return url.path + (f"?{url.query}" if url.query else "")

    def _forget_user(self) -> None:
        self._user_id = ""
        self.user_name = ""
        self.user_email = ""
        self.is_admin = False
        self.signed_in = False

    @rx.event
    @public
    async def check_session(self):
        """on_load of every signed-in page: validate the cookie and fill the sidebar, in one
        hop to a worker thread, or send the browser to /login."""
        from lumikb_app.state.shell import ShellState, signed_in_shell  # a substate of this one

        token = session_token(self.router.headers.cookie)
        user, kbs = await sign_in_threads.lookup(signed_in_shell, token) if token else (None, [])
        if token:
            remember_checked_session(token, user)
        if user is None:
            self._forget_user()
            return rx.redirect(login_url(self._browser_path()))
        shell = await self.get_state(ShellState)
        shell.selected_kb_id, shell.kbs = shell._route_kb_id(), kbs
        self._user_id = user.id
        self.user_name = user.display_name
        self.user_email = user.email
        self.is_admin = access.is_admin(user)
        self.signed_in = True
        return None

    @rx.var
    def user_initials(self) -> str:
        words = self.user_name.split()
        return "".join(word[0] for word in words[:2]).upper() or "?"

    @rx.var
    def role_label(self) -> str:
        return "Admin" if self.is_admin else "Member"
