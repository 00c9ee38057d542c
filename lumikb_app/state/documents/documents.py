"""The documents of one knowledge base: the live list, streamed uploads, retry and delete.

Thin on purpose: every event makes one call to services/documents.py, which checks access and
owns its unit of work; the state holds no SQL and opens no session.

- Live progress: `watch_progress` is a background event started by the page load (and after an
  upload or a retry). `progress_watch.watch` re-reads the list about once a second and pushes it
  through the websocket until nothing moves or the browser left the page. The browser never polls.
- Uploads: the drop zone names each drop with an id it makes up, announces the files under it
  (`expect_files`) and sends every file in one streamed request under the same id
  (`receive_upload`, `rx.upload_files_chunk`). `upload_protocol` pairs the two by that id and
  does the receiving; each file has a row in the uploads panel: bytes received while it
  streams, then what happened to it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import reflex as rx
from reflex_base.event import call_event_fn, passthrough_event_spec

from lumikb_app.api.documents.documents import download_path
from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, User
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import bulk as bulk_service
from lumikb_app.services.documents import details as details_service
from lumikb_app.services.documents import documents as document_service
from lumikb_app.services.documents.parsing import type_label
from lumikb_app.services.documents.uploads import UploadRejected
from lumikb_app.services.graph import extraction as graph_extraction
from lumikb_app.state.documents import document_panel, progress_watch, upload_protocol
from lumikb_app.state.documents.document_panel import DetailView, HistoryView, VersionView
from lumikb_app.state.documents.graph_stage import NO_LINE, GraphLine, eta_label, graph_line
from lumikb_app.state.documents.progress_watch import Look, Shown
from lumikb_app.state.documents.upload_protocol import UploadBoard, UploadRow, human_size
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

UPLOAD_ID = "kb-documents"
TERMINAL = {DocumentStatus.ready.value, DocumentStatus.failed.value}
WATCH_STALE_SECONDS = 5.0  # a watcher silent this long is gone (e.g. its process restarted)
MAX_QUERY_LENGTH = 200
SORTS = ("uploaded", "updated", "name", "size", "status")
HIDDEN_STATUSES = {DocumentStatus.deleting, DocumentStatus.superseded}  # see list_documents
STATUS_FILTERS = ("all", *(s.value for s in DocumentStatus if s not in HIDDEN_STATUSES))


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
    # The graph stage of a ready document in a KB with the graph on (graph_stage.GraphLine).
    graph_shown: bool
    graph_state: str
    graph_percent: int
    graph_label: str
    graph_working: bool
    graph_failed: bool
    moving: bool  # its processing or its graph stage still changes: the watcher keeps looking
    queue_label: str  # a queued document's place in the ingest line: "3rd in line"


def _stage_detail(doc: Document, queue_label: str) -> str:
    if doc.status != DocumentStatus.queued.value:
        return doc.stage_detail
    return queue_label.capitalize() if queue_label else doc.stage_detail or "Waiting to start"


def _document_row(
    doc: Document, uploader: str, graph: GraphLine = NO_LINE, queue_place: int | None = None
) -> DocumentRow:
    processing = doc.status not in TERMINAL
    queue_label = document_panel.queue_label(queue_place)
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
        stage_detail=_stage_detail(doc, queue_label),
        percent=round(max(0.0, min(1.0, doc.progress or 0.0)) * 100),
        eta_label=eta_label(doc.eta_seconds) if processing else "",
        error=doc.error or "",
        processing=processing,
        failed=doc.status == DocumentStatus.failed.value,
        download_url=download_path(doc.stable_id, doc.version),
        graph_shown=graph.shown,
        graph_state=graph.state,
        graph_percent=graph.percent,
        graph_label=graph.label,
        graph_working=graph.working,
        graph_failed=graph.failed,
        moving=processing or graph.working,
        queue_label=queue_label if doc.status == DocumentStatus.queued.value else "",
    )


def _listing(
    user: User, kb_id: str, query: str, status: str, sort: str
) -> tuple[list[DocumentRow], bool] | None:
    """The rows for the table and whether the user may write, or None when they may not read."""
    try:
        found = document_service.list_documents(user, kb_id, query=query, status=status, sort=sort)
    except PermissionDenied:
        return None
    rows = [
        _document_row(
            item.document,
            item.uploader or ("Unknown" if item.document.uploaded_by else "—"),
            graph_line(item.graph),
            item.queue_place,
        )
        for item in found.documents
    ]
    return rows, found.can_write


def _rows_for(look: Look) -> list[DocumentRow] | None:
    """The watcher's read: the list as the signed-in user sees it, or None."""
    user = auth.user_for_token(look.token)
    listed = _listing(user, look.kb_id, *look.filters) if user else None
    return None if listed is None else listed[0]


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

    # The uploads panel: a copy of _uploads (upload_protocol.UploadBoard), which is the truth.
    uploads: list[UploadRow] = []
    uploading: bool = False
    upload_percent: int = 0
    upload_error: str = ""

    upload_summary: str = ""  # the batch's line: added, failed, left, ETA
    upload_log_open: bool = True

    delete_id: str = ""
    delete_name: str = ""

    # The detail panel of one document (opened from its row).
    detail_open: bool = False
    detail_id: str = ""
    detail: DetailView = DetailView()
    detail_versions: list[VersionView] = []
    detail_history: list[HistoryView] = []

    # Bulk selection: ids of the shown rows that are ticked.
    selected_ids: list[str] = []
    bulk_delete_asked: bool = False
    bulk_message: str = ""
    bulk_failed: bool = False

    _watch_beat: float = 0.0  # wall clock of the live watcher's last tick; 0 when none runs
    _watch_wanted: bool = False
    _uploads: UploadBoard = UploadBoard()

    # -- helpers --------------------------------------------------------------------------------

    def _filters(self) -> tuple[str, str, str]:
        status = "" if self.status_filter == "all" else self.status_filter
        return self.query, status, self.sort

    async def _reload(self, user: User) -> None:
        listed = await asyncio.to_thread(_listing, user, self.docs_kb_id, *self._filters())
        self.docs_loaded = True
        self.documents, self.can_write = listed or ([], False)
        if listed is None:
            self.docs_error = "You no longer have access to this knowledge base."

    async def _refresh_in_background(self, user: User) -> None:
        """From a background event: read the list without holding the state lock."""
        async with self:
            kb_id, filters = self.docs_kb_id, self._filters()
        listed = await asyncio.to_thread(_listing, user, kb_id, *filters)
        async with self:
            if listed is not None and (kb_id, filters) == (self.docs_kb_id, self._filters()):
                self.documents = listed[0]

    def _on_this_kb_page(self, kb_id: str) -> bool:
        return (
            bool(kb_id)
            and self._route_kb_id() == kb_id
            and self.router.url.path.rstrip("/") == f"/kb/{kb_id}"
        )

    def _show_uploads(self, board: UploadBoard) -> None:
        self._uploads = board
        self.uploads = list(board.rows)
        self.uploading, self.upload_percent = board.uploading, board.percent
        self.upload_error = board.error
        self.upload_summary = board.summary()

    # -- page load and filters --------------------------------------------------------------------

    @rx.event
    async def load_documents(self):
        """on_load of the KB page, after check_session."""
        self.docs_kb_id = kb_id = self._route_kb_id()
        self.docs_loaded, self.docs_error = False, ""
        self.query, self.status_filter, self.sort = "", "all", "uploaded"
        self.delete_id = self.delete_name = ""
        self.detail_open, self.detail_id = False, ""
        self.selected_ids, self.bulk_delete_asked, self.bulk_message = [], False, ""
        self._show_uploads(self._uploads.page_opened())
        self.max_upload_mb = get_container().settings.MAX_UPLOAD_MB
        user = await self.current_user()
        if user is None or not kb_id:
            self.documents, self.can_write = [], False
            return None
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
            await progress_watch.watch(_WatchedPage(self), _rows_for)
        finally:
            async with self:
                self._watch_beat = 0.0

    # -- uploads ----------------------------------------------------------------------------------

    @rx.event
    def expect_files(self, batch_id: str, picked: list[dict]):
        """The drop zone's announcement: a waiting row per file, before the bytes arrive."""
        batch = upload_protocol.valid_batch_id(batch_id)
        if batch is not None and isinstance(picked, list):
            self._show_uploads(self._uploads.announce(batch, picked))

    @rx.event
    def upload_progressed(self, progress: dict):
        """The browser's progress for the whole request (on_upload_progress)."""
        if isinstance(progress, dict):
            board = self._uploads.progressed(progress.get("loaded"), progress.get("total"))
            self._show_uploads(board)

    @rx.event
    def toggle_upload_log(self):
        self.upload_log_open = not self.upload_log_open

    @rx.event
    def clear_uploads(self):
        self._show_uploads(self._uploads.cleared())

    @rx.event(background=True)
    async def receive_upload(self, chunks: rx.UploadChunkIterator, batch_id: str = ""):
        """Stream every file of one upload request into its own spool, then store it."""
        async with self:
            token = session_token(self.router.headers.cookie)
            kb_id, ip = self.docs_kb_id or self._route_kb_id(), self._ip()
        batch = upload_protocol.valid_batch_id(batch_id) or upload_protocol.new_batch_id()
        request = upload_protocol.UploadRequest(batch, token, kb_id, ip)
        async for _ in upload_protocol.receive(chunks, request, _UploadPage(self)):
            yield DocumentsState.watch_progress

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

    @rx.event
    async def retry_graph(self, document_id: str):
        """Run a document's failed graph stage again (its finished passages are kept)."""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            queued = await asyncio.to_thread(graph_extraction.retry_document, user, document_id)
        except PermissionDenied as error:
            self.docs_error = str(error)
            return None
        self.docs_error = "" if queued else "The knowledge graph is off for this knowledge base."
        await self._reload(user)
        return DocumentsState.watch_progress

    # -- the detail panel -------------------------------------------------------------------------

    @rx.event
    async def open_details(self, document_id: str):
        """Open a document's panel: versions, status history, size, pages and passages."""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            found = await asyncio.to_thread(details_service.document_details, user, document_id)
        except PermissionDenied as error:
            self.detail_open, self.detail_id, self.docs_error = False, "", str(error)
            return None
        self.detail, self.detail_versions, self.detail_history = document_panel.panel(found)
        self.detail_open, self.detail_id = True, document_id
        return None

    @rx.event
    def details_changed(self, is_open: bool):
        self.detail_open = is_open
        if not is_open:
            self.detail_id = ""

    # -- bulk actions -----------------------------------------------------------------------------

    @rx.var
    def shown_selected_ids(self) -> list[str]:
        """The ticked rows that are still shown (a filter or a deletion may have hidden some)."""
        ticked = set(self.selected_ids)
        return [row.id for row in self.documents if row.id in ticked]

    @rx.var
    def selected_failed_ids(self) -> list[str]:
        ticked = set(self.selected_ids)
        return [row.id for row in self.documents if row.id in ticked and row.failed]

    @rx.var
    def all_selected(self) -> bool:
        return bool(self.documents) and len(self.shown_selected_ids) == len(self.documents)

    @rx.var
    def selection_count_label(self) -> str:
        count = len(self.shown_selected_ids)
        return "1 document" if count == 1 else f"{count} documents"

    @rx.event
    def toggle_selected(self, document_id: str, checked: bool):
        ids = [known for known in self.selected_ids if known != document_id]
        if checked and any(row.id == document_id for row in self.documents):
            ids.append(document_id)
        self.selected_ids = ids[-bulk_service.MAX_BULK :]
        self.bulk_message = ""

    @rx.event
    def select_all(self, checked: bool):
        shown = [row.id for row in self.documents][: bulk_service.MAX_BULK]
        self.selected_ids = shown if checked else []
        self.bulk_message = ""

    @rx.event
    def ask_bulk_delete(self):
        self.bulk_delete_asked = bool(self.shown_selected_ids)

    @rx.event
    def bulk_delete_dialog_changed(self, is_open: bool):
        self.bulk_delete_asked = is_open and bool(self.shown_selected_ids)

    @rx.event
    async def confirm_bulk_delete(self, document_ids: list[str]):
        """The dialog passes the ids it counted, so a live refresh cannot change the target."""
        self.bulk_delete_asked = False
        return await self._bulk(bulk_service.delete_documents, document_ids, "deleted")

    @rx.event
    async def retry_selected(self, document_ids: list[str]):
        """Retry the selected failed documents (the button passes exactly those)."""
        return await self._bulk(bulk_service.retry_documents, document_ids, "queued again")

    async def _bulk(
        self, action: Callable[..., bulk_service.BulkOutcome], ids: list[str], verb: str
    ):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            outcome = await asyncio.to_thread(action, user, self.docs_kb_id, ids, self._ip())
        except (PermissionDenied, bulk_service.BulkRefused) as error:
            self.bulk_message, self.bulk_failed = str(error), True
            return None
        self.bulk_message, self.bulk_failed = outcome.summary(verb), bool(outcome.refused)
        self.selected_ids = []
        await self._reload(user)
        return DocumentsState.watch_progress


class _UploadPage:
    """upload_protocol.UploadPage for a background event of DocumentsState."""

    def __init__(self, state: DocumentsState) -> None:
        self._state = state

    async def change(self, edit: Callable[[UploadBoard], UploadBoard]) -> None:
        async with self._state:
            self._state._show_uploads(edit(self._state._uploads))

    async def refresh(self, user: User) -> None:
        await self._state._refresh_in_background(user)


class _WatchedPage:
    """progress_watch.WatchedPage for the watch_progress background event."""

    def __init__(self, state: DocumentsState) -> None:
        self._state = state

    async def look(self) -> Look | None:
        state = self._state
        async with state:
            kb_id = state.docs_kb_id  # follows the browser from one KB page to another
            if not state._on_this_kb_page(kb_id):
                return None
            state._watch_wanted, state._watch_beat = False, time.time()
            return Look(kb_id, state._filters(), session_token(state.router.headers.cookie))

    async def show(self, look: Look, rows: Sequence[DocumentRow]) -> Shown | None:
        state = self._state
        async with state:
            if not state._on_this_kb_page(look.kb_id):
                return None
            current = (look.kb_id, look.filters) == (state.docs_kb_id, state._filters())
            changed = current and rows != state.documents
            if changed:
                state.documents = list(rows)
            return Shown(changed=changed, wanted=state._watch_wanted)


# The browser names each drop: both events of the drop zone read the id from the same file list
# (the first one to run stores it on that list), so the announcement and the stream carry one id.
NEW_BATCH_ID_JS = "Date.now().toString(36) + Math.random().toString(36).slice(2, 10)"


def _batch_id_of(files) -> rx.Var:
    return rx.Var(
        f"((dropped) => dropped ? (dropped.lumikbBatch ??= {NEW_BATCH_ID_JS}) : '')({files!s})",
        _var_type=str,
    )


def drop_events() -> list:
    """The drop zone's on_drop: announce the files (names, sizes), then stream them."""

    def announce(files):
        names_and_sizes = rx.Var(
            f"Array.from({files!s} ?? []).map((f) => ({{name: f.name, size: f.size}}))",
            _var_type=list[dict],
        )
        return DocumentsState.expect_files(_batch_id_of(files), names_and_sizes)

    def stream(files):
        return DocumentsState.receive_upload(
            rx.upload_files_chunk(
                upload_id=UPLOAD_ID, on_upload_progress=DocumentsState.upload_progressed
            ),
            _batch_id_of(files),
        )

    spec = passthrough_event_spec(list[rx.UploadFile])
    return [call_event_fn(announce, spec)[0], call_event_fn(stream, spec)[0]]
