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

    def health(self) -> None:
        self.redis.ping()

    def close(self) -> None:
        self.redis.close()
