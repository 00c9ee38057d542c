"""The draft page's live view, without Reflex: when to look again and when to stop.

About twice a second the watcher asks the page which draft it shows and the last revision it
applied, reads what changed after it (drafts.changes_since, off the event loop, as the
signed-in person) and hands that to the page. It stops when the browser tab closed or left the
draft, when the session ended or the person lost access (the page says why), or when nothing
changed for a long time (any action on the page starts it again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import drafts, sections
from lumikb_app.services.drafting.drafts import DraftChanges

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 0.5
IDLE_LIMIT_SECONDS = 30 * 60
SESSION_ENDED = "Your session has ended. Sign in again to follow this draft."


@dataclass(frozen=True)
class Look:
    """What the page showed when the watcher looked: the draft, its revision, the session."""

    draft_id: str
    revision: int
    token: str | None  # the session cookie's token
    tab: str  # the browser tab's client token (is its websocket still open?)
    editors: bool = False  # read who is editing which section, even if nothing changed
    renew: str = ""  # the section whose edit lock this page holds and renews now
    editing: str = ""  # the section whose editor is open in this tab (its lock is the tab's)


@dataclass(frozen=True)
class Read:
    """What the watcher read: the changes, or why the page may no longer follow the draft."""

    user: User | None = None
    changes: DraftChanges | None = None
    refusal: str = ""
    editors: dict[str, str] | None = None  # section id -> who else is editing it, when read


class WatchedDraft(Protocol):
    async def look(self) -> Look | None:
        """Under the page's lock: the draft it shows and its revision; None once it left."""
        ...

    async def show(self, look: Look, read: Read) -> bool | None:
        """Under the lock: apply what was read if the page still shows `look`'s draft; whether
        anything changed, or None once the page left the draft (or must stop following it)."""
        ...


def read_changes(look: Look) -> Read:
    """Blocking: the changes after the page's revision, as the session's person sees them."""
    user = auth.user_for_token(look.token) if look.token else None
    if user is None:
        return Read(refusal=SESSION_ENDED)
    try:
        return Read(user, drafts.changes_since(user, look.draft_id, look.revision))
    except PermissionDenied as refused:
        return Read(user, refusal=str(refused))


def release_edit(look: Look) -> None:
    """Blocking: the tab closed with its editor open, so its person's lock on that section goes
    now rather than when it lapses (stop_editing leaves a lock someone else holds alone)."""
    user = auth.user_for_token(look.token) if look.token and look.editing else None
    if user is not None:
        with contextlib.suppress(DraftInputError, PermissionDenied):
            sections.stop_editing(user, look.editing)


def tab_connected(tab: str) -> bool:
    """Whether the browser tab still has its websocket open in this process (the background
    task runs in the web process that holds the tab's socket); True when not serving."""
    try:
        from lumikb_app.lumikb_app import app  # the running app (imported once it serves)

        namespace = app.event_namespace
        return namespace is None or tab in namespace.token_to_sid
    except Exception:  # Reflex changed: the idle limit still ends the watcher
        log.warning("cannot tell whether the draft's tab is still open", exc_info=True)
        return True


async def watch(
    page: WatchedDraft,
    read: Callable[[Look], Read] = read_changes,
    *,
    connected: Callable[[str], bool] = tab_connected,
    release: Callable[[Look], None] = release_edit,
    interval: float = INTERVAL_SECONDS,
    idle_limit: float = IDLE_LIMIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """Follow the draft until the page leaves it, the tab closes, access ends or it idles.
    A tab that closed with a section's editor open gives that section's lock back."""
    last_change = clock()
    while clock() - last_change < idle_limit:
        await sleep(interval)
        look = await page.look()
        if look is None:
            return
        if not connected(look.tab):
            if look.editing:
                await asyncio.to_thread(release, look)
            return
        found = await asyncio.to_thread(read, look)
        changed = await page.show(look, found)
        if changed is None or found.refusal:
            return
        if changed:
            last_change = clock()
