"""Cache port: bytes or JSON-able values with a time to live."""

from typing import Any, Protocol


class Cache(Protocol):
    embedded: bool

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any, ttl_seconds: int = 300) -> None: ...

    def delete(self, key: str) -> None: ...

    def health(self) -> None: ...
