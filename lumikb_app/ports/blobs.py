"""Blob store port: original files under `kb/{kb_id}/doc/{document_id}/v{version}`."""

from collections.abc import Iterator
from typing import BinaryIO, Protocol


class BlobNotFound(KeyError):
    pass


class BlobStore(Protocol):
    embedded: bool

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        length: int | None = None,
        content_type: str = "application/octet-stream",
    ) -> int:
        """Stream `stream` into `key` without holding it all in memory; return bytes written."""

    def get(self, key: str, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Stream the blob in chunks; raise BlobNotFound if absent."""

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def list_keys(self, prefix: str = "") -> Iterator[str]: ...

    def health(self) -> None: ...
