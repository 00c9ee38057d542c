"""The event guard: every Reflex event passes state/event_rules.py before its handler runs.

Installed once on the app (lumikb_app.py), so it covers every handler of every state, present
and future, and also the events the server chains itself. It runs under the state lock like the
handler would, and does nothing unbounded there: the argument check is bounded by the rules'
limits, and the session lookup runs on a worker thread; the handler reuses it (state/session.py).

- Bad arguments: refused with a toast that says so; the handler never runs, nothing changes.
- No session for a handler that needs one: a page-load handler is dropped quietly (the page's
  public `check_session` sends the browser to the sign-in page); any other event is answered
  with that redirect.
- The session cannot be looked up (the database is down): refused with a toast that says so.
- Each event's state is noted, so a handler that fails has its spinners turned off
  (state/backend_errors.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event, EventHandler
from reflex_base.registry import RegistrationContext

from lumikb_app.domain import log_context
from lumikb_app.services.platform.unavailable import unavailable_reason
from lumikb_app.state.backend_errors import note_event, toast_for
from lumikb_app.state.event_rules import policy_for
from lumikb_app.state.session import forget_checked_session, login_url, user_for_cookie

if TYPE_CHECKING:
    from reflex.app import App

log = logging.getLogger(__name__)

REFUSED = "This request was refused"


class EventGuard(Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        log_context.start_request()  # each event's log lines (and the jobs it queues) share an id
        forget_checked_session()  # this event looks the session up again
        registered = RegistrationContext.get().event_handlers.get(event.name)
        if registered is None:
            return None  # Reflex itself refuses a name it does not know
        handler = registered.handler
        policy = policy_for(handler.fn)
        if problem := policy.problem(event.payload):
            log.warning("refused event %s: %s", event.name[-120:], problem)
            return _answer(rx.toast.error(f"{REFUSED}: {problem}.", position="bottom-right"))
        note_event(registered.states[0])
        if policy.public:
            return None
        try:
            signed_in = await _signed_in(state, remember=not handler.is_background)
        except Exception as error:
            if unavailable_reason(error) is None:
                raise
            return _answer(toast_for(error))  # the backend's reason, as for a failed handler
        if signed_in:
            return None
        if _loads_current_page(app, state, handler):
            return StateUpdate()
        return _answer(rx.redirect(login_url(_browser_path(state))))


async def _signed_in(state: BaseState, *, remember: bool) -> bool:
    return await user_for_cookie(state.router.headers.cookie, remember=remember) is not None


def _browser_path(state: BaseState) -> str:
    url = state.router.url
    return url.path + (f"?{url.query}" if url.query else "")


def _loads_current_page(app: App, state: BaseState, handler: EventHandler) -> bool:
    for load in app.get_load_events(state.router.url.path):
        target = getattr(load, "handler", load)
        if getattr(target, "fn", None) is handler.fn:
            return True
    return False


def _answer(spec) -> StateUpdate:
    return StateUpdate(events=Event.from_event_type(spec))
