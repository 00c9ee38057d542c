"""Cache on Redis: values encoded like the memory cache (bytes or JSON), SETEX for the TTL.

A cache is an optimisation, so Redis being down never fails a request: a read that cannot
reach it is a miss and a write is skipped. The first failure is logged (once per outage, not
per request) and Redis is then left alone for OUTAGE_PAUSE_SECONDS before one call tries it
again, so a hung server costs one short timeout now and then, not one per call. `incr` is a
counter its caller must decide about, so it raises CacheUnavailable instead.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from lumikb_app.adapters.memory_cache import check_ttl, decode_value, encode_value
from lumikb_app.ports.unavailable import CacheUnavailable

log = logging.getLogger(__name__)

SOCKET_TIMEOUT_SECONDS = 0.5
OUTAGE_PAUSE_SECONDS = 5.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


class _Outage:
    """Whether Redis is known to be down, and when to try it again; logs each change once."""

    def __init__(self, pause: float, timer: Callable[[], float]) -> None:
        self.pause, self.timer = pause, timer
        self.since: float | None = None
        self.retry_at = 0.0
        self._lock = threading.Lock()

    def skipping(self) -> bool:
        with self._lock:
            return self.since is not None and self.timer() < self.retry_at

    def failed(self, error: BaseException) -> None:
        with self._lock:
            now = self.timer()
            self.retry_at = now + self.pause
            if self.since is None:
                self.since = now
                log.warning("the Redis cache is unreachable (%s); serving without it", error)

    def worked(self) -> None:
        if self.since is None:  # the common case: no lock taken
            return
        with self._lock:
            if self.since is not None:
                log.warning("the Redis cache is back after %.0f s", self.timer() - self.since)
                self.since = None


class RedisCache:
    embedded = False

    def __init__(
        self,
        redis_url: str,
        prefix: str = "lumikb:cache:",
        *,
        timeout: float = SOCKET_TIMEOUT_SECONDS,
        outage_pause: float = OUTAGE_PAUSE_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        # One retry, at once: a pooled connection that Redis dropped (it restarted) reconnects;
        # redis-py's default of three with backoff stalled every call for seconds while down.
        self.redis = Redis.from_url(
            redis_url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        self.prefix = prefix
        self.outage = _Outage(outage_pause, timer)

    def _call(self, command: Callable[[], T]) -> T:
        """Run one Redis call; CacheUnavailable when Redis cannot be reached (or is paused)."""
        if self.outage.skipping():
            raise CacheUnavailable()
        try:
            result = command()
        except _UNREACHABLE as error:
            self.outage.failed(error)
            raise CacheUnavailable() from error
        self.outage.worked()
        return result

    def get(self, key: str) -> Any | None:
        try:
            # redis-py types every command for its sync and asyncio clients (Awaitable | Any).
            raw = cast(bytes | None, self._call(lambda: self.redis.get(self.prefix + key)))
        except CacheUnavailable:
            return None
        return None if raw is None else decode_value(raw)

    def set(self, key: str, value: Any, ttl_seconds: int = 300) -> None:
        check_ttl(ttl_seconds)
        encoded = encode_value(value)
        try:
            self._call(lambda: self.redis.setex(self.prefix + key, ttl_seconds, encoded))
        except CacheUnavailable:
            return

    def delete(self, key: str) -> None:
        try:
            self._call(lambda: self.redis.delete(self.prefix + key))
        except CacheUnavailable:
            return

    def incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        check_ttl(ttl_seconds)
        return self._call(lambda: self._incr(self.prefix + key, ttl_seconds))

    def _incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        with self.redis.pipeline() as pipe:  # MULTI/EXEC: the three run as one
            pipe.set(key, 0, ex=ttl_seconds, nx=True)
            pipe.incr(key)
            pipe.ttl(key)
            _, count, left = pipe.execute()
        if left < 0:  # a counter left without a TTL (never written so here): give it one
            self.redis.expire(key, ttl_seconds)
            left = ttl_seconds
        return int(count), max(1, int(left))

    def health(self) -> None:
        """Raises when Redis cannot be reached, pause or not: /health reports the truth."""
        self.redis.ping()

    def close(self) -> None:
        self.redis.close()
