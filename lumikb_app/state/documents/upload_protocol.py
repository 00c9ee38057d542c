"""The documents page's upload protocol, without Reflex: the uploads panel and the streamed files.

One drop in the browser is one batch, named by an id the browser makes up. Two events carry
it: the announcement over the socket (the names and sizes, so every file has a waiting row at
once) and the streamed request (the bytes). They travel separately and either may be handled
first, so neither waits for the other: each file's row is keyed `<batch id>:<n>`, the n-th
streamed file is the n-th announced one (both come from the same list of files), rows are
created by whichever event names them first, and an announcement never moves a row back.

Receiving checks the session and WRITE access before it reads a byte, spools each file (the
spool enforces MAX_UPLOAD_MB and keeps nothing once it is passed), then hands it to
`accept_upload`. A browser that goes away mid-file leaves nothing behind.

`UploadBoard` is a value: every change returns a new board, which the page stores and shows.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import re
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

from lumikb_app.db.tables import User
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import documents as document_service
from lumikb_app.services.documents.uploads import UploadRejected, UploadSpool
from lumikb_app.services.platform.unavailable import unavailable_reason
from lumikb_app.state.documents.graph_stage import eta_label

log = logging.getLogger(__name__)

ROW_UPDATE_SECONDS = 0.25  # how often a streaming file's row is refreshed
MAX_UPLOAD_ROWS = 50
MAX_ENDED_BATCHES = 20
MAX_NAME_LENGTH = 255
IN_FLIGHT = ("waiting", "receiving", "storing")
SIGNED_OUT = "Your session has ended. Sign in again to upload."
NO_WRITE_ACCESS = "Uploading needs write access to this knowledge base."
NOT_RECEIVED = "Not received."
NOT_UPLOADED = "Not uploaded."
INTERRUPTED = "Interrupted."
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def valid_batch_id(value: object) -> str | None:
    """The browser's id for a drop, when it is a short plain token."""
    return value if isinstance(value, str) and _BATCH_ID.fullmatch(value) else None


def new_batch_id() -> str:
    """An id for a request that came without a usable one: its files make their own rows."""
    return f"s{uuid.uuid4().hex[:16]}"


# -- the uploads panel ---------------------------------------------------------------------------


@dataclass
class UploadRow:
    key: str
    name: str
    size: int = 0  # as announced by the browser; 0 when unknown
    received: int = 0  # bytes the server has spooled
    phase: str = "waiting"  # waiting | receiving | storing | uploaded | identical | rejected
    message: str = ""
    percent: int = 0
    detail: str = "Waiting…"


def _shown(row: UploadRow) -> UploadRow:
    """Fill in the bar and the line under the name from the row's phase and byte counts."""
    if row.phase in ("waiting", "receiving"):
        row.percent = round(100 * row.received / row.size) if row.size else 0
        if row.phase == "waiting":
            row.detail = "Waiting…"
        elif row.size:
            row.detail = f"{human_size(row.received)} of {human_size(row.size)} received"
        else:
            row.detail = f"{human_size(row.received)} received"
    elif row.phase == "storing":
        row.percent, row.detail = 100, f"{human_size(row.received)} received · storing…"
    else:
        row.percent, row.detail = (100 if row.phase != "rejected" else row.percent), row.message
    row.percent = min(100, max(0, row.percent))
    return row


def _in_batch(key: str, batch: str) -> bool:
    return key.startswith(f"{batch}:")


def _amount(value: object) -> float:
    """A count the browser sent (bytes, a size), or 0 when it is not a finite positive number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return value if math.isfinite(value) and value > 0 else 0


def _announced_file(item: object) -> tuple[str, int]:
    """(name, size) of one announced file; anything malformed becomes ("file", 0)."""
    if not isinstance(item, dict):
        return "file", 0
    name = str(item.get("name") or "")[:MAX_NAME_LENGTH] or "file"
    return name, int(_amount(item.get("size")))


@dataclass(frozen=True)
class UploadBoard:
    """What the uploads panel shows, and which batches have ended (for late announcements)."""

    rows: tuple[UploadRow, ...] = ()
    uploading: bool = False
    percent: int = 0  # the browser's progress for the whole request
    error: str = ""
    ended: tuple[tuple[str, str], ...] = ()  # (batch, what a row announced after its end says)
    began_at: float = 0.0  # time.monotonic() when the running request started; 0 when none runs

    def row(self, key: str) -> UploadRow | None:
        return next((row for row in self.rows if row.key == key), None)

    def with_row(self, key: str, **changes) -> UploadBoard:
        """The board with one row changed, or added at the end (only the latest rows are kept)."""
        rows, known = list(self.rows), self.row(key)
        if known is None:
            rows.append(_shown(UploadRow(key=key, **{"name": "file", **changes})))
        else:
            rows[rows.index(known)] = _shown(dataclasses.replace(known, **changes))
        return dataclasses.replace(self, rows=tuple(rows[-MAX_UPLOAD_ROWS:]))

    def _ended_message(self, batch: str) -> str | None:
        return next((message for ended, message in self.ended if ended == batch), None)

    def announce(self, batch: str, picked: list) -> UploadBoard:
        """The drop zone's names and sizes: a waiting row per file the stream has not named yet."""
        late = self._ended_message(batch)
        board = self
        if late is None:
            board = dataclasses.replace(self.started(), percent=0, error="")
        for index, item in enumerate(picked[:MAX_UPLOAD_ROWS]):
            name, size = _announced_file(item)
            key = f"{batch}:{index}"
            known = board.row(key)
            if known is None and late is not None:
                board = board.with_row(key, name=name, size=size, phase="rejected", message=late)
            elif known is None:
                board = board.with_row(key, name=name, size=size)
            elif known.name == "file" or not known.size:
                board = board.with_row(key, name=name, size=known.size or size)
        return board

    def started(self, now: float | None = None) -> UploadBoard:
        if self.uploading:
            return self
        began = time.monotonic() if now is None else now
        return dataclasses.replace(self, uploading=True, began_at=began)

    def summary(self, now: float | None = None) -> str:
        """The batch's one progress line: files added, already here, failed and left, and an ETA
        from how fast the browser has sent the request so far."""
        if not self.rows:
            return ""
        phases = [row.phase for row in self.rows]
        left = sum(phase in IN_FLIGHT for phase in phases)
        counts = (
            (phases.count("uploaded"), "added"),
            (phases.count("identical"), "already here"),
            (phases.count("rejected"), "failed"),
            (left, "left"),
        )
        said = " · ".join(f"{count} {what}" for count, what in counts if count)
        files = f"{len(phases)} file{'s' if len(phases) != 1 else ''}"
        if not self.uploading and not left:
            return f"{files}: {said}"
        eta = self._eta(time.monotonic() if now is None else now)
        return f"Uploading {files}: {said}" + (f" · {eta}" if eta else "")

    def _eta(self, now: float) -> str:
        if not self.uploading or not self.began_at or self.percent <= 0:
            return ""
        if self.percent >= 100:
            return "storing the last files"
        elapsed = max(0.0, now - self.began_at)
        return eta_label(elapsed * (100 - self.percent) / self.percent)

    def progressed(self, loaded: object, total: object) -> UploadBoard:
        """The browser's progress for the whole request (bytes sent of all)."""
        sent, everything = _amount(loaded), _amount(total)
        if not everything:
            return self
        return dataclasses.replace(self, percent=min(100, round(100 * sent / everything)))

    def file(self, key: str, filename: str, **changes) -> UploadBoard:
        """A streamed file's row; the stream's name replaces a placeholder one."""
        known = self.row(key)
        if known is None or known.name == "file":
            changes["name"] = filename[:MAX_NAME_LENGTH] or "file"
        return self.with_row(key, **changes)

    def _end(self, batch: str, late: str, **changes) -> UploadBoard:
        ended = (*[e for e in self.ended if e[0] != batch], (batch, late))
        return dataclasses.replace(self, ended=ended[-MAX_ENDED_BATCHES:], began_at=0.0, **changes)

    def refused(self, batch: str, message: str) -> UploadBoard:
        """Nothing of the batch will be read: every row of it says so, and the error line why."""
        board = self._end(batch, NOT_UPLOADED, uploading=False, error=message)
        for row in self.rows:
            if _in_batch(row.key, batch):
                board = board.with_row(row.key, phase="rejected", message=NOT_UPLOADED)
        return board

    def finished(self, batch: str) -> UploadBoard:
        """The request is over: files announced but never streamed say so."""
        board = self._end(batch, NOT_RECEIVED, uploading=False, percent=100)
        for row in self.rows:
            if _in_batch(row.key, batch) and row.phase == "waiting":
                board = board.with_row(row.key, phase="rejected", message=NOT_RECEIVED)
        return board

    def page_opened(self) -> UploadBoard:
        """A KB page (re)opened: the panel starts empty unless an upload is still running."""
        if self.uploading:
            return dataclasses.replace(self, error="")
        return UploadBoard(ended=self.ended)

    def cleared(self) -> UploadBoard:
        rows = tuple(row for row in self.rows if row.phase in IN_FLIGHT)
        return dataclasses.replace(self, rows=rows, error="")


# -- the streamed files --------------------------------------------------------------------------


class Chunk(Protocol):
    """One piece of a streamed file (Reflex's UploadChunk)."""

    @property
    def filename(self) -> str: ...
    @property
    def offset(self) -> int: ...
    @property
    def data(self) -> bytes: ...


class UploadPage(Protocol):
    """What a running upload needs from the page that shows it."""

    async def change(self, edit: Callable[[UploadBoard], UploadBoard]) -> None:
        """Apply `edit` to the page's board under the page's lock."""
        ...

    async def refresh(self, user: User) -> None:
        """Re-read the document list (a new document is queued)."""
        ...


@dataclass
class _IncomingFile:
    key: str
    filename: str
    spool: UploadSpool | None = None
    received: int = 0
    refused: str = ""
    last_push: float = field(default_factory=time.monotonic)

    def open(self) -> None:
        try:
            self.spool = document_service.new_spool(self.filename)
        except UploadRejected as error:
            self.refused = str(error)

    def write(self, offset: int, data: bytes) -> None:
        """Append one chunk; a refusal (too big, out of order) discards what was spooled."""
        if self.refused or self.spool is None:
            return
        if offset != self.received:
            self.spool.discard()
            self.refused = f"{self.filename} arrived incomplete; upload it again."
            return
        try:
            self.spool.write(data)
        except UploadRejected as error:
            self.refused = str(error)
        self.received += len(data)

    def discard(self) -> None:
        if self.spool is not None:
            self.spool.discard()


def _accept(user: User, kb_id: str, incoming: _IncomingFile, ip: str) -> tuple[str, str, bool]:
    """(phase, message, whether a new document was queued) for a completely received file."""
    if incoming.refused or incoming.spool is None:
        incoming.discard()
        return "rejected", incoming.refused or "The file could not be read.", False
    try:
        outcome = document_service.accept_upload(user, kb_id, incoming.spool, ip=ip or None)
    except (PermissionDenied, UploadRejected) as error:
        return "rejected", str(error), False
    except Exception as error:
        log.exception("storing the upload %s failed", incoming.filename)
        reason = unavailable_reason(error) or "try again."
        return "rejected", f"{incoming.filename} could not be stored: {reason}", False
    if outcome.duplicate_of:
        return "identical", outcome.message, False
    return "uploaded", outcome.message, True


@dataclass(frozen=True)
class UploadRequest:
    """Who sent a streamed upload, for which KB and batch."""

    batch: str
    token: str | None
    kb_id: str
    ip: str = ""


async def receive(
    chunks: AsyncIterable[Chunk], request: UploadRequest, page: UploadPage
) -> AsyncIterator[None]:
    """Stream every file of one request into its own spool, then store it.

    Yields once each time a new document is queued (the page then starts its live progress).
    Nothing is read from `chunks` unless the session is valid and the user may write.
    """
    batch = request.batch
    await page.change(lambda board: board.started())
    user = await asyncio.to_thread(auth.user_for_token, request.token)
    if user is None:
        await page.change(lambda board: board.refused(batch, SIGNED_OUT))
        return
    try:
        await asyncio.to_thread(document_service.require_writer, user, request.kb_id)
    except PermissionDenied:
        await page.change(lambda board: board.refused(batch, NO_WRITE_ACCESS))
        return
    try:
        async for _ in _stream_files(chunks, request, user, page):
            yield
    finally:
        await page.change(lambda board: board.finished(batch))
    await page.refresh(user)


async def _stream_files(
    chunks: AsyncIterable[Chunk], request: UploadRequest, user: User, page: UploadPage
) -> AsyncIterator[None]:
    """Spool file after file; yields once per new document queued."""
    count = 0
    current: _IncomingFile | None = None
    try:
        async for chunk in chunks:
            if (
                current is None
                or chunk.filename != current.filename
                or (chunk.offset == 0 and current.received > 0)
            ):
                if current is not None and await _store(current, request, user, page):
                    yield
                current = _IncomingFile(f"{request.batch}:{count}", chunk.filename)
                count += 1
                current.open()
                await _show(page, current, "receiving")
            current.write(chunk.offset, chunk.data)
            if time.monotonic() - current.last_push > ROW_UPDATE_SECONDS:
                await _show(page, current, "receiving")
        last, current = current, None
        if last is not None and await _store(last, request, user, page):
            yield
    finally:
        if current is not None:  # the browser went away mid-file: keep nothing
            current.discard()
            await _show(page, current, "rejected", INTERRUPTED)


async def _show(page: UploadPage, incoming: _IncomingFile, phase: str, message: str = "") -> None:
    incoming.last_push = time.monotonic()
    changes = {"phase": phase, "received": incoming.received, "message": message}
    await page.change(lambda board: board.file(incoming.key, incoming.filename, **changes))


async def _store(
    incoming: _IncomingFile, request: UploadRequest, user: User, page: UploadPage
) -> bool:
    """Hand a received file to accept_upload; True when a new document was queued."""
    if incoming.refused:
        incoming.discard()
        await _show(page, incoming, "rejected", incoming.refused)
        return False
    await _show(page, incoming, "storing")
    phase, message, queued = await asyncio.to_thread(
        _accept, user, request.kb_id, incoming, request.ip
    )
    await _show(page, incoming, phase, message)
    if queued:
        await page.refresh(user)  # the new row appears (queued) at once
    return queued
