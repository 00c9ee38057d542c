"""The documents page's live list: when the watcher looks again and when it stops.

A fake page and a fake clock (every sleep moves it on), so no test waits for real time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from lumikb_app.state.documents.progress_watch import Look, Shown, watch

pytestmark = pytest.mark.unit

LOOK = Look("kb1", ("", "", "uploaded"), "token")


@dataclass(frozen=True)
class Row:
    name: str
    moving: bool


@dataclass
class FakePage:
    """Shows what it is given; `leave_after` looks and `wanted` answers script the browser."""

    leave_after: int = 1_000_000
    wanted: list[bool] = field(default_factory=list)
    filters_changed: bool = False
    shown: list[list[Row]] = field(default_factory=list)
    looks: int = 0

    async def look(self) -> Look | None:
        self.looks += 1
        return None if self.looks > self.leave_after else LOOK

    async def show(self, look: Look, rows: list[Row]) -> Shown | None:
        if self.looks > self.leave_after:
            return None
        if self.filters_changed:  # the answer is for filters the page no longer shows
            return Shown(changed=False, wanted=False)
        changed = not self.shown or self.shown[-1] != rows
        if changed:
            self.shown.append(rows)
        return Shown(changed=changed, wanted=self.wanted.pop(0) if self.wanted else False)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def reads(*lists: list[Row] | None):
    """A `read` that returns each list in turn, then the last one forever."""
    answers = list(lists)
    calls: list[Look] = []

    def read(look: Look):
        calls.append(look)
        return answers.pop(0) if len(answers) > 1 else answers[0]

    read.calls = calls  # type: ignore[attr-defined]
    return read


async def run(page: FakePage, read, clock: Clock, idle_limit: float = 60.0) -> None:
    await watch(page, read, interval=1.0, idle_limit=idle_limit, clock=clock, sleep=clock.sleep)


async def test_it_pushes_each_change_and_stops_when_nothing_is_processing():
    queued, half, ready = Row("a", True), Row("a", True), Row("a", False)
    page, clock = FakePage(), Clock()
    read = reads([queued], [half], [ready], [Row("never", False)])

    await run(page, read, clock)

    assert page.shown == [[queued], [ready]]  # [half] equals [queued]: nothing new to push
    assert len(read.calls) == 3 and read.calls[0] == LOOK
    assert clock.now == 3.0


async def test_a_wish_for_another_look_keeps_it_going_once_more():
    page, clock = FakePage(wanted=[True]), Clock()

    await run(page, reads([Row("a", False)]), clock)

    assert page.looks == 2  # the upload that asked may have queued a row the first read missed


async def test_it_stops_when_the_browser_leaves_the_page():
    page, clock = FakePage(leave_after=2), Clock()

    await run(page, reads([Row("a", True)]), clock)

    assert page.looks == 3 and len(page.shown) == 1


async def test_it_stops_when_the_session_ends_or_access_is_lost():
    page, clock = FakePage(), Clock()

    await run(page, reads([Row("a", True)], None), clock)

    assert page.looks == 2 and page.shown == [[Row("a", True)]]


async def test_a_stuck_queue_stops_being_watched_after_the_idle_limit():
    page, clock = FakePage(), Clock()

    await run(page, reads([Row("stuck", True)]), clock, idle_limit=10.0)

    assert page.shown == [[Row("stuck", True)]]
    assert clock.now == pytest.approx(11.0)  # the first look changed the page at t=1


async def test_an_answer_for_old_filters_is_not_shown_but_the_watch_goes_on():
    page, clock = FakePage(filters_changed=True), Clock()

    await run(page, reads([Row("a", True)]), clock, idle_limit=5.0)

    assert page.shown == [] and page.looks == 5
