"""Cache on Redis: values encoded like the memory cache (bytes or JSON), SETEX for the TTL."""

from typing import Any, cast

from redis import Redis

from lumikb_app.adapters.memory_cache import check_ttl, decode_value, encode_value


class RedisCache:
    embedded = False

    def __init__(self, redis_url: str, prefix: str = "lumikb:cache:") -> None:
        self.redis = Redis.from_url(redis_url)
        self.prefix = prefix

    def get(self, key: str) -> Any | None:
        # redis-py types every command for its sync and asyncio clients at once (Awaitable | Any).
        raw = cast(bytes | None, self.redis.get(self.prefix + key))
        return None if raw is None else decode_value(raw)

    def set(self, key: str, value: Any, ttl_seconds: int = 300) -> None:
        check_ttl(ttl_seconds)
        self.redis.setex(self.prefix + key, ttl_seconds, encode_value(value))

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    def incr(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        check_ttl(ttl_seconds)
        key = self.prefix + key
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
        self.redis.ping()

    def close(self) -> None:
        self.redis.close()
