"""The in-process cache: TTL per entry, LRU eviction, values encoded like the Redis cache."""

import threading

import pytest

from lumikb_app.adapters.memory_cache import MemoryCache, decode_value, encode_value

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_round_trip_json_and_bytes():
    cache = MemoryCache()
    cache.set("json", {"a": [1, 2], "b": None})
    cache.set("raw", b"\x00\xffbytes")
    assert cache.get("json") == {"a": [1, 2], "b": None}
    assert cache.get("raw") == b"\x00\xffbytes"
    assert cache.get("missing") is None


def test_entry_expires_after_its_ttl():
    clock = Clock()
    cache = MemoryCache(timer=clock)
    cache.set("short", "s", ttl_seconds=5)
    cache.set("long", "l", ttl_seconds=60)
    clock.now += 4.9
    assert cache.get("short") == "s"
    clock.now += 0.2
    assert cache.get("short") is None
    assert cache.get("long") == "l"
    assert len(cache) == 1


def test_delete():
    cache = MemoryCache()
    cache.set("k", 1)
    cache.delete("k")
    cache.delete("k")
    assert cache.get("k") is None


def test_least_recently_used_is_evicted():
    cache = MemoryCache(max_items=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1
    cache.set("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)


def test_values_are_copies():
    cache = MemoryCache()
    value = {"list": [1]}
    cache.set("k", value)
    value["list"].append(2)
    cache.get("k")["list"].append(3)
    assert cache.get("k") == {"list": [1]}


def test_rejects_what_redis_would_reject():
    cache = MemoryCache()
    with pytest.raises(TypeError):
        cache.set("k", object())
    with pytest.raises(ValueError):
        cache.set("k", 1, ttl_seconds=0)


def test_codec_round_trip():
    for value in ({"x": 1}, [1, "two"], "text", 3.5, True, b"raw", None):
        assert decode_value(encode_value(value)) == value


def test_concurrent_writers():
    cache = MemoryCache(max_items=500)

    def write(offset: int) -> None:
        for index in range(2000):
            cache.set(f"{offset}:{index}", index)
            cache.get(f"{offset}:{index - 1}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 500


def test_a_counter_counts_within_its_ttl_which_later_hits_do_not_extend():
    clock = Clock()
    cache = MemoryCache(timer=clock)

    assert cache.incr("hits", ttl_seconds=60) == (1, 60)
    clock.now += 45.5
    assert cache.incr("hits", ttl_seconds=60) == (2, 15)  # 14.5 s left, rounded up
    assert cache.incr("other", ttl_seconds=60) == (1, 60)
    clock.now += 14.6
    assert cache.incr("hits", ttl_seconds=60) == (1, 60)  # expired: a new window


def test_concurrent_counting_loses_no_hit():
    cache = MemoryCache()

    def hit() -> None:
        for _ in range(500):
            cache.incr("hits", ttl_seconds=60)

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.incr("hits", ttl_seconds=60)[0] == 2001
