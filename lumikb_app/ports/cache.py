"""Cache port: bytes or JSON-able values with a time to live.

A cache that cannot be reached fails nothing: `get` answers a miss, `set` and `delete` do
nothing. Only `incr` raises (ports.unavailable.CacheUnavailable): its caller decides.
"""

from typing import Any, Protocol


class Cache(Protocol):
    embedded: bool

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any, ttl_seconds: int = 300) -> None: ...

    def delete(self, key: str) -> None: ...

    def incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        """Add one to the counter at `key`, atomically across processes sharing the cache.

        A missing counter starts at 0 and lives `ttl_seconds`; later calls do not extend it.
        Returns (the count, whole seconds until the counter expires). A counter key is read
        only through `incr`, never `get`. CacheUnavailable when the cache cannot be reached.
        """
        ...

    def health(self) -> None: ...
