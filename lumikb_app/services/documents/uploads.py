"""Receiving a file: spool it with a size cap and hash it (type detection reads the spooled file).

Uploads arrive in chunks (Reflex's chunked upload or an HTTP stream). The spool keeps memory
bounded and stops the moment the cap is passed, so nothing oversized is ever stored.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import IO

MAX_NAME_LENGTH = 200


class UploadRejected(ValueError):
    """The upload is refused; the message says why in words a person understands."""


def clean_filename(name: str) -> str:
    name = (name or "").replace("\\", "/").split("/")[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if not name or name in {".", ".."}:
        raise UploadRejected("The file has no name.")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext) if dot else name[:MAX_NAME_LENGTH]
        )
    return name


class UploadSpool:
    def __init__(self, filename: str, max_bytes: int, directory: Path | None = None) -> None:
        self.filename = clean_filename(filename)
        self.max_bytes = max_bytes
        self.size = 0
        self._sha = hashlib.sha256()
        self._file: IO[bytes] = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in discard)
            prefix="upload-", dir=directory, delete=False
        )
        self.path = Path(self._file.name)

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            self.discard()
            raise UploadRejected(
                f"{self.filename} is larger than the {self.max_bytes // (1024 * 1024)} MB upload limit."
            )
        self._sha.update(data)
        self._file.write(data)

    def finish(self) -> None:
        self._file.flush()
        self._file.close()

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)
