"""The Redis cache against a real redis-server that stops, or hangs: reads are misses, writes
are skipped, counters raise CacheUnavailable, the outage is logged once and the cache is used
again when Redis is back; chat admission lets answers through meanwhile (fail open)."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from lumikb_app.adapters.redis_cache import RedisCache
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import User
from lumikb_app.ports.unavailable import CacheUnavailable
from lumikb_app.services.chat.admission import ChatRateLimited, admit
from tests.integration.platform.private_redis import private_redis, wait_for

pytestmark = pytest.mark.integration

CACHE_LOGGER = "lumikb_app.adapters.redis_cache"
ADA = User(id="ada", email="ada@x.io")


def _cache_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == CACHE_LOGGER]


def test_with_redis_stopped_reads_miss_writes_are_skipped_and_counters_raise(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)
    with private_redis(tmp_path) as redis:
        cache = RedisCache(redis.url, prefix="faults:")
        cache.set("page", {"title": "Report"})
        assert cache.get("page") == {"title": "Report"}

        redis.stop()
        assert cache.get("page") is None  # a miss, not an error
        cache.set("page", {"title": "Other"})  # skipped
        cache.delete("page")
        with pytest.raises(CacheUnavailable):
            cache.incr("answers", ttl_seconds=60)
        assert cache.get("page") is None
        (outage,) = _cache_lines(caplog)  # once for the whole outage
        assert "unreachable" in outage

        redis.start()  # empty again: no persistence

        def used_again() -> bool:
            cache.set("page", {"title": "Back"})
            return cache.get("page") == {"title": "Back"}

        wait_for(used_again, 30, "the cache to use Redis again")
        assert "back" in _cache_lines(caplog)[-1]


def test_a_hung_redis_gives_a_miss_instead_of_a_stalled_request():
    """A server that accepts connections and never answers (a hung Redis)."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as hung:
        cache = RedisCache(f"redis://127.0.0.1:{hung.getsockname()[1]}/0")
        answers: list[object] = []
        reader = threading.Thread(target=lambda: answers.append(cache.get("k")), daemon=True)
        reader.start()
        reader.join(timeout=30)  # a bound on "never", not a timing
        assert not reader.is_alive(), "the cache read waited for ever"
        assert answers == [None]


def test_chat_answers_are_let_through_while_the_rate_limit_cannot_be_counted(
    data_dir, tmp_path, monkeypatch, caplog
):
    """The decision: fail open. Refusing every answer would make a cache outage a chat
    outage; the answer pool (CHAT_MAX_STREAMS) still bounds what one process runs."""
    monkeypatch.setenv("CHAT_RATE_LIMIT", "1")
    reset_container()
    with private_redis(tmp_path) as redis:
        monkeypatch.setitem(get_container().__dict__, "cache", RedisCache(redis.url))
        admit(ADA).release()
        with pytest.raises(ChatRateLimited):
            admit(ADA)  # counted in Redis: one answer a window

        redis.stop()
        with caplog.at_level(logging.INFO):
            for _ in range(3):
                admit(ADA).release()
        ours = [r.levelname for r in caplog.records if r.name.startswith("lumikb_app")]
        assert ours == ["WARNING"]  # the outage, once (other threads' libraries may log too)
