"""Admission before an answer starts: a free place on the pool and the asker under their rate
limit (counted in the cache port; the Redis counter is tested in
tests/integration/platform/test_cache.py and, through the API, in
tests/integration/chat/test_chat_limits_api.py)."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import User
from lumikb_app.services.chat import admission
from lumikb_app.services.chat.admission import ChatRateLimited, admit, duration
from lumikb_app.services.chat.answer_pool import ChatBusy, answer_pool

pytestmark = pytest.mark.unit

ADA, BOB = User(id="ada", email="ada@x.io"), User(id="bob", email="bob@x.io")


@pytest.fixture
def limits(data_dir, monkeypatch):
    def configure(*, streams: int = 8, rate: int = 3, window: int = 60) -> None:
        monkeypatch.setenv("CHAT_MAX_STREAMS", str(streams))
        monkeypatch.setenv("CHAT_RATE_LIMIT", str(rate))
        monkeypatch.setenv("CHAT_RATE_WINDOW_SECONDS", str(window))
        reset_container()

    return configure


def test_a_person_over_their_rate_is_refused_with_when_to_try_again(limits):
    limits(rate=3, window=60)
    for _ in range(3):
        admit(ADA).release()

    with pytest.raises(ChatRateLimited) as refused:
        admit(ADA)

    assert 0 < refused.value.retry_after <= 60
    assert str(refused.value) == (
        "You have reached your limit of 3 answers in 1 minute. "
        f"Try again in {duration(refused.value.retry_after)}."
    )
    assert answer_pool().in_use == 0  # the refused one gave its place back
    admit(BOB).release()  # each person has their own count


def test_busy_is_said_before_anything_is_counted(limits):
    limits(streams=1, rate=1)
    held = admit(ADA)

    with pytest.raises(ChatBusy):
        admit(BOB)

    held.release()
    admit(BOB).release()  # Bob's refused try did not use up his one answer


def test_a_limit_of_zero_means_no_limit(limits):
    limits(rate=0)
    for _ in range(50):
        admit(ADA).release()


def test_when_the_cache_fails_the_answer_is_let_through(limits, monkeypatch, caplog):
    limits(rate=1)

    def broken(key: str, ttl_seconds: int) -> tuple[int, int]:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(get_container().cache, "incr", broken)
    admit(ADA).release()
    admit(ADA).release()
    assert "rate limit could not be counted" in caplog.text


def test_durations_read_as_a_person_would_say_them():
    assert [duration(s) for s in (1, 45, 60, 61, 120, 3600)] == [
        "1 second",
        "45 seconds",
        "1 minute",
        "61 seconds",
        "2 minutes",
        "60 minutes",
    ]
    assert admission.ChatRateLimited(20, 120, 1).retry_after == 1
