"""The documents of one knowledge base: the live list, streamed uploads, retry and delete.

Thin on purpose: every event makes one call to services/documents.py, which checks access.

- Live progress: `watch_progress` is a background event started by the page load (and after an
  upload or a retry). About once a second it re-reads the list and pushes it through the
  websocket, and stops when every document is ready or failed or the browser left the page.
  The browser never polls.
- Uploads: the drop zone sends every file in one streamed request (`rx.upload_files_chunk`).
  `receive_upload` checks the session and WRITE access before it reads a byte, spools each file
  (the spool enforces MAX_UPLOAD_MB and keeps nothing when it is passed), then hands it to
  `accept_upload`. Each file has a row in the uploads panel: bytes received while it streams,
  then what happened to it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass, field

import reflex as rx
from reflex_base.event import call_event_fn, passthrough_event_spec

from lumikb_app.api.documents.documents import download_path
from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, User
from lumikb_app.domain.enums import DocumentStatus, KbRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied, can
from lumikb_app.services.documents import documents as document_service
from lumikb_app.services.documents.parsing import type_label
from lumikb_app.services.documents.uploads import UploadRejected, UploadSpool
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

log = logging.getLogger(__name__)

UPLOAD_ID = "kb-documents"
TERMINAL = {DocumentStatus.ready.value, DocumentStatus.failed.value}
WATCH_INTERVAL_SECONDS = 1.0
WATCH_STALE_SECONDS = 5.0  # a watcher silent this long is gone (e.g. its process restarted)
WATCH_IDLE_LIMIT_SECONDS = 30 * 60  # a page left open on a stuck queue stops pushing after this
ROW_UPDATE_SECONDS = 0.25  # how often a streaming file's row is refreshed
MAX_UPLOAD_ROWS = 50
MAX_QUERY_LENGTH = 200
SORTS = ("uploaded", "updated", "name", "size", "status")
STATUS_FILTERS = ("all", *(s.value for s in DocumentStatus if s != DocumentStatus.deleting))


# -- what the page shows -----------------------------------------------------------------------


@dataclass
class DocumentRow:
    id: str
    name: str
    type_label: str
    size_label: str
    pages: str
    chunks: str
    version: str
    uploaded_by: str
    uploaded_at: str
    status: str
    stage_detail: str
    percent: int
    eta_label: str
    error: str
    processing: bool
    failed: bool
    download_url: str


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


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def eta_label(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def _document_row(doc: Document, uploader: str) -> DocumentRow:
    processing = doc.status not in TERMINAL
    return DocumentRow(
        id=doc.id,
        name=doc.name,
        type_label=type_label(doc.mime_type),
        size_label=human_size(doc.size_bytes),
        pages=str(doc.page_count) if doc.page_count else "—",
        chunks=str(doc.chunk_count) if doc.chunk_count else "—",
        version=f"v{doc.version}",
        uploaded_by=uploader,
        uploaded_at=doc.created_at.strftime("%b %d, %Y %H:%M"),
        status=doc.status,
        stage_detail=doc.stage_detail
        or ("Waiting to start" if doc.status == DocumentStatus.queued.value else ""),
        percent=round(max(0.0, min(1.0, doc.progress or 0.0)) * 100),
        eta_label=eta_label(doc.eta_seconds) if processing else "",
        error=doc.error or "",
        processing=processing,
        failed=doc.status == DocumentStatus.failed.value,
        download_url=download_path(doc.id),
    )


def _listing(
    user: User, kb_id: str, query: str, status: str, sort: str
) -> list[DocumentRow] | None:
    """The rows for the table, or None when the user may not read this KB."""
    with get_container().db.session() as session:
        try:
            docs = document_service.list_documents(
                session, user, kb_id, query=query, status=status, sort=sort
            )
        except PermissionDenied:
            return None
        names: dict[str, str] = {}
        for uploader_id in {d.uploaded_by for d in docs if d.uploaded_by}:
            person = session.get(User, uploader_id)
            names[uploader_id] = person.display_name if person else "Unknown"
        return [_document_row(d, names.get(d.uploaded_by or "", "—")) for d in docs]


def _can_write(user: User, kb_id: str) -> bool:
    with get_container().db.session() as session:
        return can(session, user, kb_id, KbRole.WRITE)


def _upload_row_state(row: UploadRow) -> UploadRow:
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


# -- one file of a streamed upload --------------------------------------------------------------


@dataclass
class _IncomingFile:
    key: str
    filename: str
    spool: UploadSpool | None = None
    received: int = 0
    refused: str = ""
    last_push: float = field(default_factory=time.monotonic)


def _open_spool(incoming: _IncomingFile) -> None:
    try:
        incoming.spool = document_service.new_spool(incoming.filename)
    except UploadRejected as error:
        incoming.refused = str(error)


def _write(incoming: _IncomingFile, offset: int, data: bytes) -> None:
    """Append one chunk; a refusal (too big, out of order) discards what was spooled."""
    if incoming.refused or incoming.spool is None:
        return
    if offset != incoming.received:
        incoming.spool.discard()
        incoming.refused = f"{incoming.filename} arrived incomplete; upload it again."
        return
    try:
        incoming.spool.write(data)
    except UploadRejected as error:
        incoming.refused = str(error)
    incoming.received += len(data)


def _accept(
    user: User, kb_id: str, incoming: _IncomingFile, ip: str
) -> tuple[str, str, str | None]:
    """(phase, message, new document id) for a completely received file."""
    if incoming.refused or incoming.spool is None:
        if incoming.spool is not None:
            incoming.spool.discard()
        return "rejected", incoming.refused or "The file could not be read.", None
    try:
        outcome = document_service.accept_upload(user, kb_id, incoming.spool, ip=ip or None)
    except (PermissionDenied, UploadRejected) as error:
        return "rejected", str(error), None
    except Exception:
        log.exception("storing the upload %s failed", incoming.filename)
        return "rejected", f"{incoming.filename} could not be stored; try again.", None
    if outcome.duplicate_of:
        return "identical", outcome.message, None
    return "uploaded", outcome.message, outcome.document_id


# -- the state ----------------------------------------------------------------------------------


class DocumentsState(ShellState):
    documents: list[DocumentRow] = []
    docs_loaded: bool = False
    docs_kb_id: str = ""
    can_write: bool = False
    max_upload_mb: int = 100
    query: str = ""
    status_filter: str = "all"
    sort: str = "uploaded"
    docs_error: str = ""

    uploads: list[UploadRow] = []
    uploading: bool = False
    upload_percent: int = 0
    upload_error: str = ""

    delete_id: str = ""
    delete_name: str = ""

    _watch_beat: float = 0.0  # wall clock of the live watcher's last tick; 0 when none runs
    _watch_wanted: bool = False
    _batch_counter: int = 0
    _pending_batches: list[str] = []

    # -- helpers --------------------------------------------------------------------------------

    def _filters(self) -> tuple[str, str, str]:
        status = "" if self.status_filter == "all" else self.status_filter
        return self.query, status, self.sort

    async def _reload(self, user: User) -> None:
        rows = await asyncio.to_thread(_listing, user, self.docs_kb_id, *self._filters())
        self.docs_loaded = True
        self.documents = rows or []
        if rows is None:
            self.docs_error = "You no longer have access to this knowledge base."

    async def _refresh_in_background(self, user: User) -> None:
        """From a background event: read the list without holding the state lock."""
        async with self:
            kb_id, filters = self.docs_kb_id, self._filters()
        rows = await asyncio.to_thread(_listing, user, kb_id, *filters)
        async with self:
            if rows is not None and (kb_id, filters) == (self.docs_kb_id, self._filters()):
                self.documents = rows

    def _on_this_kb_page(self, kb_id: str) -> bool:
        return (
            bool(kb_id)
            and self._route_kb_id() == kb_id
            and self.router.url.path.rstrip("/") == f"/kb/{kb_id}"
        )

    def _set_upload_row(self, key: str, **changes) -> None:
        rows = list(self.uploads)
        for index, row in enumerate(rows):
            if row.key == key:
                values = {f.name: getattr(row, f.name) for f in dataclasses.fields(UploadRow)}
                rows[index] = _upload_row_state(UploadRow(**{**values, **changes}))
                break
        else:
            rows.append(_upload_row_state(UploadRow(key=key, **changes)))
        self.uploads = rows[-MAX_UPLOAD_ROWS:]

    # -- page load and filters --------------------------------------------------------------------

    @rx.event
    async def load_documents(self):
        """on_load of the KB page, after check_session."""
        self.docs_kb_id = kb_id = self._route_kb_id()
        self.docs_loaded, self.docs_error, self.upload_error = False, "", ""
        self.query, self.status_filter, self.sort = "", "all", "uploaded"
        self.delete_id = self.delete_name = ""
        if not self.uploading:
            self.uploads = []
        self.max_upload_mb = get_container().settings.MAX_UPLOAD_MB
        user = await self.current_user()
        if user is None or not kb_id:
            self.documents, self.can_write = [], False
            return None
        self.can_write = await asyncio.to_thread(_can_write, user, kb_id)
        await self._reload(user)
        return DocumentsState.watch_progress

    async def _refilter(self):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        await self._reload(user)
        return DocumentsState.watch_progress

    @rx.event
    async def set_query(self, value: str):
        self.query = value[:MAX_QUERY_LENGTH]
        return await self._refilter()

    @rx.event
    async def set_status_filter(self, value: str):
        self.status_filter = value if value in STATUS_FILTERS else "all"
        return await self._refilter()

    @rx.event
    async def set_sort(self, value: str):
        self.sort = value if value in SORTS else "uploaded"
        return await self._refilter()

    @rx.var
    def has_filters(self) -> bool:
        return self.query != "" or self.status_filter != "all"

    @rx.var
    def document_count_label(self) -> str:
        count = len(self.documents)
        return "1 document" if count == 1 else f"{count} documents"

    # -- live progress ----------------------------------------------------------------------------

    @rx.event(background=True)
    async def watch_progress(self):
        """Push the list about once a second while a document is still being processed.

        One watcher per browser tab: a start while one is alive (its heartbeat is recent) only
        asks it to look again, so a document queued just as it was stopping is not missed.
        """
        async with self:
            self._watch_wanted = True
            if time.time() - self._watch_beat < WATCH_STALE_SECONDS:
                return
            self._watch_beat = time.time()
        try:
            await self._watch()
        finally:
            async with self:
                self._watch_beat = 0.0

    async def _watch(self) -> None:
        last_change = time.monotonic()
        while time.monotonic() - last_change < WATCH_IDLE_LIMIT_SECONDS:
            await asyncio.sleep(WATCH_INTERVAL_SECONDS)
            async with self:
                kb_id = self.docs_kb_id  # follows the browser from one KB page to another
                if not self._on_this_kb_page(kb_id):
                    return
                self._watch_wanted, self._watch_beat = False, time.time()
                token = session_token(self.router.headers.cookie)
                filters = self._filters()
            user = await asyncio.to_thread(auth.user_for_token, token)
            rows = await asyncio.to_thread(_listing, user, kb_id, *filters) if user else None
            async with self:
                if rows is None or not self._on_this_kb_page(kb_id):
                    return
                if (kb_id, filters) == (
                    self.docs_kb_id,
                    self._filters(),
                ) and rows != self.documents:
                    self.documents, last_change = rows, time.monotonic()
                if not any(row.processing for row in rows) and not self._watch_wanted:
                    return

    # -- uploads ----------------------------------------------------------------------------------

    @rx.event
    def expect_files(self, picked: list[dict]):
        """The drop zone's first event: a waiting row per file, before the bytes arrive."""
        self._batch_counter += 1
        batch = str(self._batch_counter)
        self._pending_batches = [*self._pending_batches, batch]
        self.uploading, self.upload_percent, self.upload_error = True, 0, ""
        for index, item in enumerate(picked):
            size = item.get("size") if isinstance(item, dict) else 0
            self._set_upload_row(
                f"{batch}:{index}",
                name=str(item.get("name", "") if isinstance(item, dict) else "")[:255] or "file",
                size=int(size) if isinstance(size, int | float) and size > 0 else 0,
            )

    @rx.event
    def upload_progressed(self, progress: dict):
        """The browser's progress for the whole request (on_upload_progress)."""
        loaded, total = progress.get("loaded") or 0, progress.get("total") or 0
        if total:
            self.upload_percent = min(100, round(100 * loaded / total))

    @rx.event
    def clear_uploads(self):
        self.uploads = [
            row for row in self.uploads if row.phase in ("waiting", "receiving", "storing")
        ]
        self.upload_error = ""

    async def _claim_batch(self) -> str:
        """The batch expect_files announced for this request (it normally arrives first)."""
        for _ in range(20):
            async with self:
                if self._pending_batches:
                    batch, *rest = self._pending_batches
                    self._pending_batches = rest
                    return batch
            await asyncio.sleep(0.1)
        async with self:
            self._batch_counter += 1
            return str(self._batch_counter)

    async def _refuse_upload(self, batch: str, message: str) -> None:
        async with self:
            self.upload_error, self.uploading = message, False
            for row in self.uploads:
                if row.key.startswith(f"{batch}:"):
                    self._set_upload_row(row.key, phase="rejected", message="Not uploaded.")

    @rx.event(background=True)
    async def receive_upload(self, chunks: rx.UploadChunkIterator):
        """Stream every file of one upload request into its own spool, then store it."""
        async with self:
            token = session_token(self.router.headers.cookie)
            kb_id, ip = self.docs_kb_id or self._route_kb_id(), self._ip()
        batch = await self._claim_batch()
        user = await asyncio.to_thread(auth.user_for_token, token)
        if user is None:
            await self._refuse_upload(batch, "Your session has ended. Sign in again to upload.")
            return
        try:
            await asyncio.to_thread(document_service.require_writer, user, kb_id)
        except PermissionDenied:
            await self._refuse_upload(batch, "Uploading needs write access to this knowledge base.")
            return
        try:
            async for event in self._stream_files(chunks, batch, user, kb_id, ip):
                yield event
        finally:
            async with self:
                self.uploading, self.upload_percent = False, 100
                for row in self.uploads:  # announced by the browser but never received
                    if row.key.startswith(f"{batch}:") and row.phase == "waiting":
                        self._set_upload_row(row.key, phase="rejected", message="Not received.")
        await self._refresh_in_background(user)

    async def _stream_files(
        self, chunks: rx.UploadChunkIterator, batch: str, user: User, kb_id: str, ip: str
    ):
        """Spool file after file; once one is stored, the live progress starts (yielded)."""
        count = 0
        current: _IncomingFile | None = None
        try:
            async for chunk in chunks:
                if (
                    current is None
                    or chunk.filename != current.filename
                    or (chunk.offset == 0 and current.received > 0)
                ):
                    if current is not None and await self._store(current, user, kb_id, ip):
                        yield DocumentsState.watch_progress
                    current = _IncomingFile(key=f"{batch}:{count}", filename=chunk.filename)
                    count += 1
                    _open_spool(current)
                    await self._show_file(current, "receiving")
                _write(current, chunk.offset, chunk.data)
                if time.monotonic() - current.last_push > ROW_UPDATE_SECONDS:
                    await self._show_file(current, "receiving")
            last, current = current, None
            if last is not None and await self._store(last, user, kb_id, ip):
                yield DocumentsState.watch_progress
        finally:
            if current is not None:  # the browser went away mid-file: keep nothing
                if current.spool is not None:
                    current.spool.discard()
                async with self:
                    self._set_upload_row(current.key, phase="rejected", message="Interrupted.")

    async def _show_file(self, incoming: _IncomingFile, phase: str, message: str = "") -> None:
        incoming.last_push = time.monotonic()
        async with self:
            known = next((r for r in self.uploads if r.key == incoming.key), None)
            changes = {"phase": phase, "received": incoming.received, "message": message}
            if known is None or not known.name or known.name == "file":
                changes["name"] = incoming.filename
            self._set_upload_row(incoming.key, **changes)

    async def _store(self, incoming: _IncomingFile, user: User, kb_id: str, ip: str) -> bool:
        """Hand a received file to accept_upload; True when a new document was queued."""
        if incoming.refused:
            await self._show_file(incoming, "rejected", incoming.refused)
            if incoming.spool is not None:
                incoming.spool.discard()
            return False
        await self._show_file(incoming, "storing")
        phase, message, document_id = await asyncio.to_thread(_accept, user, kb_id, incoming, ip)
        await self._show_file(incoming, phase, message)
        if document_id is None:
            return False
        await self._refresh_in_background(user)  # the new row appears (queued) at once
        return True

    # -- row actions ------------------------------------------------------------------------------

    @rx.event
    def ask_delete(self, document_id: str, name: str):
        self.delete_id, self.delete_name = document_id, name

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        if not is_open:
            self.delete_id = self.delete_name = ""

    @rx.event
    async def confirm_delete(self, document_id: str, name: str):
        """The dialog passes the id it shows, so closing it first cannot lose the target."""
        self.delete_id = self.delete_name = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            await asyncio.to_thread(document_service.delete_document, user, document_id, self._ip())
        except PermissionDenied as error:
            self.docs_error = str(error)
            return None
        self.docs_error = ""
        await self._reload(user)
        return rx.toast.success(f"{name} deleted.", position="bottom-right")

    @rx.event
    async def retry(self, document_id: str):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            await asyncio.to_thread(document_service.retry_document, user, document_id)
        except (PermissionDenied, UploadRejected) as error:
            self.docs_error = str(error)
            return None
        self.docs_error = ""
        await self._reload(user)
        return DocumentsState.watch_progress


def drop_events() -> list:
    """The drop zone's on_drop: announce the files (names, sizes), then stream them."""

    def announce(files):
        names_and_sizes = rx.Var(
            f"Array.from({files!s} ?? []).map((f) => ({{name: f.name, size: f.size}}))",
            _var_type=list[dict],
        )
        return DocumentsState.expect_files(names_and_sizes)

    announce_spec = call_event_fn(announce, passthrough_event_spec(list[rx.UploadFile]))[0]
    upload = DocumentsState.receive_upload(
        rx.upload_files_chunk(
            upload_id=UPLOAD_ID, on_upload_progress=DocumentsState.upload_progressed
        )
    )
    return [announce_spec, upload]
