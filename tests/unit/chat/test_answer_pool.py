"""The bounded pool answers are written on: a place is reserved before anything is stored, the
pool says "busy" when every place is taken, and every place comes back however its work ends."""

from __future__ import annotations

import threading

import pytest

from lumikb_app.services.chat.answer_pool import (
    BUSY,
    BUSY_RETRY_SECONDS,
    AnswerPool,
    ChatBusy,
    answer_pool,
)

pytestmark = pytest.mark.unit

WAIT = 5.0


def _run_and_wait(pool: AnswerPool, work) -> None:
    done = threading.Event()
    pool.reserve().run(work, then=done.set)
    assert done.wait(WAIT)


def test_when_every_place_is_taken_the_next_is_refused_as_busy():
    pool = AnswerPool(2)
    first, second = pool.reserve(), pool.reserve()

    with pytest.raises(ChatBusy) as refused:
        pool.reserve()

    assert str(refused.value) == BUSY
    assert refused.value.retry_after == BUSY_RETRY_SECONDS
    first.release()
    pool.reserve()  # a place came back
    assert pool.in_use == 2
    second.release()


def test_a_place_comes_back_when_its_work_ends_or_fails():
    pool = AnswerPool(1)
    _run_and_wait(pool, lambda: None)
    assert pool.in_use == 0

    def fail() -> None:
        raise RuntimeError("the model went away")

    _run_and_wait(pool, fail)
    assert pool.in_use == 0


def test_the_place_is_free_before_then_is_called():
    pool = AnswerPool(1)
    seen: list[int] = []
    done = threading.Event()

    def then() -> None:
        seen.append(pool.in_use)
        done.set()

    pool.reserve().run(lambda: None, then=then)
    assert done.wait(WAIT)
    assert seen == [0]


def test_release_after_the_work_started_changes_nothing_and_a_place_runs_once():
    pool = AnswerPool(1)
    release = threading.Event()
    slot = pool.reserve()
    slot.run(lambda: release.wait(WAIT))

    slot.release()  # what a caller's `finally` does: the running work keeps its place
    assert pool.in_use == 1
    with pytest.raises(RuntimeError):
        slot.run(lambda: None)
    release.set()


def test_answers_share_at_most_size_threads():
    pool = AnswerPool(2)
    names: set[str] = set()
    for _ in range(10):
        _run_and_wait(pool, lambda: names.add(threading.current_thread().name))

    gate, started = threading.Event(), threading.Barrier(3)

    def hold() -> None:
        names.add(threading.current_thread().name)
        started.wait(WAIT)
        gate.wait(WAIT)

    pool.reserve().run(hold)
    pool.reserve().run(hold)
    started.wait(WAIT)  # both run at once, each on its own thread
    with pytest.raises(ChatBusy):
        pool.reserve()
    gate.set()
    assert len(names) == 2 and all(name.startswith("chat-answer") for name in names)


def test_the_process_pool_is_sized_by_the_setting(data_dir, monkeypatch):
    from lumikb_app.container import reset_container

    monkeypatch.setenv("CHAT_MAX_STREAMS", "3")
    reset_container()

    assert answer_pool().size == 3
    assert answer_pool() is answer_pool()
