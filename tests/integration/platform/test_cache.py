"""The Redis cache on the real Redis server: round trip, TTL, delete, prefix."""

import time
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis

from lumikb_app.adapters.redis_cache import RedisCache

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache() -> Iterator[RedisCache]:
    prefix = f"lumikb:test:{uuid.uuid4().hex}:"
    cache = RedisCache(REDIS_URL, prefix=prefix)
    cache.health()  # unreachable Redis fails the test, never skips it
    yield cache
    for key in cache.redis.scan_iter(match=prefix + "*"):
        cache.redis.delete(key)
    cache.close()


def test_round_trip(cache):
    cache.set("doc", {"title": "Report", "pages": [1, 2]})
    cache.set("raw", b"\x00bytes")
    assert cache.get("doc") == {"title": "Report", "pages": [1, 2]}
    assert cache.get("raw") == b"\x00bytes"
    assert cache.get("missing") is None
    assert cache.embedded is False


def test_ttl_is_set_and_expires(cache):
    cache.set("soon", "gone", ttl_seconds=1)
    assert 0 < cache.redis.ttl(cache.prefix + "soon") <= 1
    deadline = time.monotonic() + 5
    while cache.get("soon") is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.get("soon") is None


def test_delete(cache):
    cache.set("k", 1)
    cache.delete("k")
    assert cache.get("k") is None


def test_keys_live_under_prefix(cache):
    cache.set("k", "v")
    with Redis.from_url(REDIS_URL) as raw:
        assert raw.get(cache.prefix + "k") is not None


def test_rejects_bad_values(cache):
    with pytest.raises(TypeError):
        cache.set("k", {1, 2})
    with pytest.raises(ValueError):
        cache.set("k", 1, ttl_seconds=0)


def test_a_counter_is_shared_by_every_client_of_the_server(cache):
    """Two clients stand for two app processes: each sees the other's hits."""
    other = RedisCache(REDIS_URL, prefix=cache.prefix)
    try:
        assert cache.incr("hits", ttl_seconds=60) == (1, 60)
        assert other.incr("hits", ttl_seconds=60)[0] == 2
        assert cache.incr("hits", ttl_seconds=60)[0] == 3
        assert 0 < cache.redis.ttl(cache.prefix + "hits") <= 60
    finally:
        other.close()


def test_a_counter_keeps_its_first_ttl_and_restarts_after_it(cache):
    assert cache.incr("soon", ttl_seconds=1) == (1, 1)
    assert cache.incr("soon", ttl_seconds=100)[1] == 1  # later hits do not extend it
    deadline = time.monotonic() + 5
    while cache.redis.exists(cache.prefix + "soon") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.incr("soon", ttl_seconds=100) == (1, 100)


def test_concurrent_counting_loses_no_hit(cache):
    import threading

    def hit() -> None:
        client = RedisCache(REDIS_URL, prefix=cache.prefix)
        for _ in range(100):
            client.incr("hits", ttl_seconds=60)
        client.close()

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.incr("hits", ttl_seconds=60)[0] == 401
