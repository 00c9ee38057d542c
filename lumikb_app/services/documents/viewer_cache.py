"""Local copies of PDF originals for PDFium, under DATA_DIR/viewer-cache: a few, newest kept;
and, in memory, the parsed blocks of the last few formatted documents the viewer rendered.

A copy is named by its version's row id (one immutable file). Purging a document removes its
copy (`forget`). When the purge runs on another machine than the app (separate workers with
their own DATA_DIR), the app's copy cannot be reached from there: each new copy the app makes
also drops the copies whose documents are gone or being deleted (`_trim`), and the viewer
never serves a copy without first checking the document's row.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import new_id
from lumikb_app.db.tables import Document
from lumikb_app.domain.documents import ParsedDocument
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.services.platform.transactions import read_session

CACHED_ORIGINALS = 16
CACHED_PARSES = 8  # parsed documents kept in memory (a reader pages through a few at a time)

_parses: OrderedDict[str, ParsedDocument] = OrderedDict()
_parses_lock = threading.Lock()


def directory() -> Path:
    return get_container().settings.DATA_DIR / "viewer-cache"


def local_copy(version_id: str, blob_key: str) -> Path:
    """The local copy of the original stored under `blob_key`, fetched on first use."""
    folder = directory()
    path = folder / f"{version_id}.pdf"
    if path.exists():
        path.touch()
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{version_id}.{new_id()[:8]}.part"
    try:
        with partial.open("wb") as out:
            for block in get_container().blobs.get(blob_key):
                out.write(block)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    _trim(folder)
    return path


def parsed(version_id: str, load: Callable[[], ParsedDocument | None]) -> ParsedDocument | None:
    """The parsed blocks of one version: kept from an earlier view, else ``load()``-ed (a
    failed load, None, is not kept: the next view tries again)."""
    with _parses_lock:
        if version_id in _parses:
            _parses.move_to_end(version_id)
            return _parses[version_id]
    document = load()  # outside the lock: a slow parse must not hold up other documents
    if document is not None:
        with _parses_lock:
            _parses[version_id] = document
            while len(_parses) > CACHED_PARSES:
                _parses.popitem(last=False)
    return document


def forget(version_id: str) -> None:
    """Remove the copy of one version (and any copy still being written)."""
    with _parses_lock:
        _parses.pop(version_id, None)
    folder = directory()
    for path in [folder / f"{version_id}.pdf", *folder.glob(f".{version_id}.*.part")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _trim(folder: Path) -> None:
    copies = sorted(folder.glob("*.pdf"), key=_modified, reverse=True)
    live = _live_ids([path.stem for path in copies])
    for index, copy in enumerate(copies):
        if index >= CACHED_ORIGINALS or copy.stem not in live:
            with contextlib.suppress(FileNotFoundError):
                copy.unlink()


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _live_ids(version_ids: list[str]) -> set[str]:
    with read_session() as session:
        return set(
            session.exec(
                select(Document.id).where(
                    col(Document.id).in_(version_ids),
                    Document.status != DocumentStatus.deleting.value,
                )
            )
        )
