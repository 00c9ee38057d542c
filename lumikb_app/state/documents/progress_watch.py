"""The documents page's live list, without Reflex: when to look again and when to stop.

About once a second the watcher asks the page what it shows, re-reads that list (off the event
loop) and hands it back. It stops when the browser left the KB page, the session ended or the
user lost access, when every document (and its graph stage) is ready or failed and nobody asked for another look,
or when the list has not changed for a long time (a page left open on a stuck queue).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

INTERVAL_SECONDS = 1.0
IDLE_LIMIT_SECONDS = 30 * 60


@dataclass(frozen=True)
class Look:
    """What the page showed when the watcher looked: the KB, the filters, and the session."""

    kb_id: str
    filters: tuple[str, str, str]
    token: str | None


@dataclass(frozen=True)
class Shown:
    changed: bool  # the page now shows rows it did not before
    wanted: bool  # another look was asked for since the last one (an upload, a retry)


class ListRow(Protocol):
    @property
    def moving(self) -> bool:
        """Whether the row may still change (a document processing, a graph stage running)."""
        ...


Row = TypeVar("Row", bound=ListRow)
Row_contra = TypeVar("Row_contra", bound=ListRow, contravariant=True)


class WatchedPage(Protocol[Row_contra]):
    async def look(self) -> Look | None:
        """Under the page's lock: what it shows now (taking any wish for another look), or
        None once the browser has left the KB page."""
        ...

    async def show(self, look: Look, rows: Sequence[Row_contra]) -> Shown | None:
        """Under the lock: show `rows` if the page still shows what `look` saw; None once the
        browser has left the KB page."""
        ...


async def watch(
    page: WatchedPage[Row],
    read: Callable[[Look], list[Row] | None],
    *,
    interval: float = INTERVAL_SECONDS,
    idle_limit: float = IDLE_LIMIT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """Push the list while something moves. `read` is blocking (it runs on a thread) and
    returns None when the session ended or the user may no longer read the KB."""
    last_change = clock()
    while clock() - last_change < idle_limit:
        await sleep(interval)
        look = await page.look()
        if look is None:
            return
        rows = await asyncio.to_thread(read, look)
        if rows is None:
            return
        shown = await page.show(look, rows)
        if shown is None:
            return
        if shown.changed:
            last_change = clock()
        if not any(row.moving for row in rows) and not shown.wanted:
            return
