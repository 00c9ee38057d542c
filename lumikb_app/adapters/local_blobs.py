"""Blob store in a local folder: one file per key, written atomically.

A put streams into a hidden temporary file beside the target, fsyncs it and
renames it over the key, so a reader never sees a partial blob. Keys are
relative POSIX paths that cannot leave the root.
"""

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from lumikb_app.ports.blobs import BlobNotFound

COPY_CHUNK = 1 << 20


def check_key(key: str, *, allow_empty: bool = False) -> list[str]:
    """The key's path segments; ValueError for anything that could escape the root."""
    if key == "" and allow_empty:
        return []
    if not key or "\\" in key or "\x00" in key or key.startswith("/"):
        raise ValueError(f"invalid blob key {key!r}")
    parts = key.split("/")
    for part in parts:
        if part in ("", ".", "..") or part.startswith("."):
            raise ValueError(f"invalid blob key {key!r}")
    return parts


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read_chunks(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(chunk_size):
            yield chunk


class LocalBlobStore:
    embedded = True

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key))

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        length: int | None = None,
        content_type: str = "application/octet-stream",
    ) -> int:
        target = self._path(key)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        try:
            written = self._write_synced(temporary, stream)
            if length is not None and written != length:
                raise ValueError(f"expected {length} bytes for {key!r}, got {written}")
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)
        return written

    @staticmethod
    def _open_new(path: Path) -> BinaryIO:
        """Create the file, and its folder; a delete may prune the folder in between: again."""
        for _ in range(3):
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                return path.open("xb")
            except FileNotFoundError:
                continue
        return path.open("xb")

    def _write_synced(self, path: Path, stream: BinaryIO) -> int:
        written = 0
        with self._open_new(path) as handle:
            while chunk := stream.read(COPY_CHUNK):
                handle.write(chunk)
                written += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        return written

    def get(self, key: str, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFound(key) from None
        return _read_chunks(handle, chunk_size)

    def delete(self, key: str) -> None:
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            path.unlink()
        self._prune(path.parent)

    def _prune(self, directory: Path) -> None:
        """Remove the folders a deleted key leaves empty, up to the root (a document's folder
        names its KB and its id)."""
        while directory != self.root and self.root in directory.parents:
            try:
                directory.rmdir()
            except OSError:  # not empty (or gone already): the rest stays
                return
            directory = directory.parent

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(key)
        return path.stat().st_size

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        directory = prefix.rpartition("/")[0]
        start = self.root.joinpath(*check_key(directory, allow_empty=True))
        keys = [key for key in self._walk(start) if key.startswith(prefix)]
        yield from sorted(keys)

    def _walk(self, start: Path) -> Iterator[str]:
        for directory, subdirectories, files in os.walk(start):
            subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
            relative = Path(directory).relative_to(self.root).as_posix()
            for name in files:
                if not name.startswith("."):
                    yield name if relative == "." else f"{relative}/{name}"

    def health(self) -> None:
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise RuntimeError(f"blob folder {self.root} is not writable")
