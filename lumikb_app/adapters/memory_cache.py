"""In-process cache with a time to live per entry and LRU eviction (cachetools.TLRUCache).

Values go through the same encoding as the Redis cache, so embedded mode
rejects what production would reject, and callers never share mutable values
with the cache.
"""

import json
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import TLRUCache

_BYTES = b"b"
_JSON = b"j"


def encode_value(value: Any) -> bytes:
    """Bytes as they are, anything else as JSON (TypeError if it is not JSON-able)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return _BYTES + bytes(value)
    return _JSON + json.dumps(value, separators=(",", ":")).encode()


def decode_value(raw: bytes) -> Any:
    kind, body = raw[:1], raw[1:]
    if kind == _BYTES:
        return body
    if kind == _JSON:
        return json.loads(body)
    raise ValueError(f"unknown cache value encoding {kind!r}")


def check_ttl(ttl_seconds: int) -> None:
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")


def _expires_at(_key: str, entry: tuple, now: float) -> float:
    return now + entry[1]


class MemoryCache:
    embedded = True

    def __init__(self, max_items: int = 10_000, *, timer: Callable[[], float] = time.monotonic):
        self._entries: TLRUCache = TLRUCache(maxsize=max_items, ttu=_expires_at, timer=timer)
        self._timer = timer
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else decode_value(entry[0])

    def set(self, key: str, value: Any, ttl_seconds: int = 300) -> None:
        check_ttl(ttl_seconds)
        entry = (encode_value(value), float(ttl_seconds))
        with self._lock:
            self._entries[key] = entry

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        check_ttl(ttl_seconds)
        with self._lock:
            now = self._timer()
            entry = self._entries.get(key)
            if entry is None or len(entry) != 4:  # missing, or a value set with `set`
                count, expires = 1, now + ttl_seconds
            else:
                count, expires = entry[2] + 1, entry[3]
            # The TTL is stored as what is left of it, so rewriting the entry keeps its expiry.
            self._entries[key] = (b"", expires - now, count, expires)
        return count, max(1, math.ceil(expires - now))

    def health(self) -> None:
        return None

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)
