"""What the browser sees when an event fails: the reason, and no spinner left on for ever.

Reflex hands every exception an event handler raises (or the event guard, which looks up the
session) to the app's backend exception handler, `on_backend_error`. It answers with

- a toast that says why: "The database is unavailable; try again in a moment." when a backend
  is down (services/platform/unavailable.py), a generic line for anything else (logged);
- `RecoveryState.stop_spinners` for the state whose event failed, which turns off that
  state's busy flags (BUSY_FLAGS): a search, a chat answer, an upload, a graph load.

The failing event's state is known through the event guard, which notes each event's state
under its transaction id before the handler runs (`note_event`); Reflex calls the exception
handler with that event's context.
"""

from __future__ import annotations

import functools
import logging
import threading

import reflex as rx
from cachetools import LRUCache
from reflex.state import BaseState
from reflex_base.event import EventSpec
from reflex_base.event.context import EventContext

from lumikb_app.services.platform.unavailable import unavailable_reason
from lumikb_app.state.event_rules import public

log = logging.getLogger(__name__)

FAILED = "Something went wrong; try again. If it keeps happening, tell your administrator."
_EVENTS_KEPT = 4096  # events in flight whose state is remembered (the oldest are forgotten)
_running: LRUCache[str, str] = LRUCache(_EVENTS_KEPT)
_running_lock = threading.Lock()


@functools.cache
def busy_flags() -> dict[str, tuple[type[BaseState], tuple[str, ...]]]:
    """Per state (by full name), the state and its flags that show a spinner while set."""
    from lumikb_app.state.chat.chat import ChatState
    from lumikb_app.state.documents.documents import DocumentsState
    from lumikb_app.state.graph.graph import GraphState
    from lumikb_app.state.knowledge_bases.kb_graph import KbGraphState
    from lumikb_app.state.platform.admin_maintenance import AdminMaintenanceState
    from lumikb_app.state.retrieval.quick_search import QuickSearchState
    from lumikb_app.state.retrieval.search import SearchState

    flags: dict[type[BaseState], tuple[str, ...]] = {
        SearchState: ("searching",),
        QuickSearchState: ("palette_searching",),
        ChatState: ("streaming", "stopping", "stream_has_text"),
        DocumentsState: ("uploading",),
        GraphState: ("loading", "detail_loading"),
        KbGraphState: ("estimating",),
        AdminMaintenanceState: ("reconcile_running",),
    }
    return {state.get_full_name(): (state, names) for state, names in flags.items()}


def note_event(state: type[BaseState]) -> None:
    """Called by the event guard before a handler runs: which state this event belongs to."""
    try:
        txid = EventContext.get().txid
    except LookupError:
        return
    with _running_lock:
        _running[txid] = state.get_full_name()


def _failed_state() -> str | None:
    try:
        txid = EventContext.get().txid
    except LookupError:
        return None
    with _running_lock:
        return _running.pop(txid, None)


def toast_for(error: BaseException) -> EventSpec:
    reason = unavailable_reason(error)
    if reason is None:
        log.error("an event handler failed", exc_info=error)
    else:
        log.warning("an event failed because a backend is down: %s (%s)", reason, error)
    return rx.toast.error(reason or FAILED, position="bottom-right", duration=8000)


def on_backend_error(exception: Exception) -> list[EventSpec]:
    """The app's backend exception handler (lumikb_app.py; Reflex wants these names)."""
    answer = [toast_for(exception)]
    state_name = _failed_state()
    if state_name in busy_flags():
        answer.append(RecoveryState.stop_spinners(state_name))
    return answer


class RecoveryState(rx.State):
    """Holds nothing: its one event turns a failed event's spinners off."""

    @rx.event
    @public
    async def stop_spinners(self, state_name: str):
        """Public (it only clears flags in the caller's own tab) and needs no database, so it
        runs while the database is down."""
        busy = busy_flags().get(state_name)
        if busy is None:
            return
        state, flags = busy
        target = await self.get_state(state)
        for flag in flags:
            setattr(target, flag, False)
