"""The draft page's live watcher: it looks again about twice a second while the page shows the
draft, and stops when the tab leaves or closes, when the person may no longer read the draft,
or when nothing has changed for the idle limit."""

from __future__ import annotations

import pytest

from lumikb_app.state.drafting.draft_watch import Look, Read, watch

LOOK = Look(draft_id="d1", revision=3, token="t", tab="tab-1")


class _Page:
    def __init__(self, shown: list[bool | None], leave_after: int = 99) -> None:
        self.shown = shown
        self.looks = 0
        self.leave_after = leave_after
        self.reads: list[Read] = []

    async def look(self) -> Look | None:
        self.looks += 1
        return LOOK if self.looks <= self.leave_after else None

    async def show(self, look: Look, read: Read) -> bool | None:
        self.reads.append(read)
        return self.shown.pop(0) if self.shown else False


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def _run(page: _Page, read=lambda look: Read(), connected=lambda tab: True, idle=60.0):
    clock = _Clock()
    await watch(page, read, connected=connected, idle_limit=idle, clock=clock, sleep=clock.sleep)
    return clock.now


async def test_it_looks_twice_a_second_until_the_page_leaves():
    page = _Page([True, False, True], leave_after=6)
    elapsed = await _run(page)
    assert page.looks == 7 and len(page.reads) == 6
    assert elapsed == pytest.approx(3.5)


async def test_a_closed_tab_or_a_refusal_stops_it():
    page = _Page([])
    await _run(page, connected=lambda tab: False)
    assert page.looks == 1 and page.reads == []
    refused = _Page([])
    await _run(refused, read=lambda look: Read(refusal="Draft not found."))
    assert len(refused.reads) == 1 and refused.reads[0].refusal == "Draft not found."


async def test_it_stops_after_the_idle_limit_and_a_change_extends_it():
    quiet = _Page([])
    assert await _run(quiet, idle=10.0) == pytest.approx(10.0)
    busy = _Page([False] * 9 + [True])  # a change at 5 s: ten more seconds
    assert await _run(busy, idle=10.0) == pytest.approx(15.0)


async def test_a_tab_closed_with_its_editor_open_gives_its_lock_back():
    released: list[Look] = []
    editing = Look(draft_id="d1", revision=3, token="t", tab="tab-1", editing="s1")

    class _Editing(_Page):
        async def look(self) -> Look | None:
            return editing

    clock = _Clock()
    await watch(
        _Editing([]),
        connected=lambda tab: False,
        release=released.append,
        clock=clock,
        sleep=clock.sleep,
    )
    assert released == [editing]
    await watch(
        _Page([]),
        connected=lambda tab: False,
        release=released.append,
        clock=clock,
        sleep=clock.sleep,
    )
    assert released == [editing]  # no editor open in that tab: nothing to give back
