"""Importing a questionnaire: upload an XLSX, CSV or DOCX file, see its first rows with the
column mapping we suggest, change which columns hold the question, answer, sources, id and
section, choose a title and the KBs, and create the draft (one section per question).

The file streams in through `rx.upload`. The session is checked before a byte is kept, and the
size cap (MAX_IMPORT_BYTES) while streaming: past it nothing is kept and the rest of the request
is not read. The bytes wait in a backend-only var of this small state until Create (bounded by
the cap); services/drafting/questionnaire_import refuses hostile files with a message for a
person before anything is stored, and the dialog shows that message."""

import asyncio
import dataclasses
from collections.abc import AsyncIterable

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import MAX_IMPORT_BYTES, MAX_TITLE, DraftInputError
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import questionnaire_import
from lumikb_app.state.documents.upload_protocol import Chunk, human_size
from lumikb_app.state.drafting import import_preview
from lumikb_app.state.drafting.draft_create import chosen_kbs, kbs_in_words
from lumikb_app.state.drafting.import_preview import NONE, ROLES, HeaderCell, TableView
from lumikb_app.state.retrieval.kb_filter import filter_label, toggled
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

IMPORT_UPLOAD_ID = "questionnaire-upload"
LIMIT_MB = MAX_IMPORT_BYTES // (1024 * 1024)
SIGNED_OUT = "Your session has ended. Sign in again to import a questionnaire."
ONE_FILE = "Import one questionnaire at a time."
NO_FILE = "No file arrived. Choose one XLSX, CSV or DOCX questionnaire."
PUSH_EVERY = 256 * 1024  # bytes between two "received" updates
Refused = (DraftInputError, PermissionDenied)


def too_big(filename: str) -> str:
    return f"{filename} is larger than the {LIMIT_MB} MB limit for a questionnaire."


@dataclasses.dataclass
class Received:
    """A streamed file: its name and bytes, or why it was not kept."""

    filename: str = ""
    data: bytearray = dataclasses.field(default_factory=bytearray)
    refused: str = ""


async def receive_file(chunks: AsyncIterable[Chunk], progress) -> Received:
    """Keep one file's bytes, at most MAX_IMPORT_BYTES; stop reading at the first refusal
    (over the cap, a second file, a gap), so an oversized upload is never read to its end."""
    got = Received()
    async for chunk in chunks:
        if not got.filename:
            got.filename = chunk.filename or "questionnaire"
        elif chunk.filename != got.filename or (chunk.offset == 0 and got.data):
            got.refused = ONE_FILE
            break
        if chunk.offset != len(got.data):
            got.refused = f"{got.filename} arrived incomplete; upload it again."
            break
        if len(got.data) + len(chunk.data) > MAX_IMPORT_BYTES:
            got.refused = too_big(got.filename)
            break
        before = len(got.data) // PUSH_EVERY
        got.data += chunk.data
        if len(got.data) // PUSH_EVERY != before:
            await progress(len(got.data))
    if got.refused:
        got.data = bytearray()
    elif not got.filename:
        got.refused = NO_FILE
    return got


class ImportState(ShellState):
    import_open: bool = False
    import_receiving: bool = False
    import_received: str = ""  # "1.2 MB received"
    import_error: str = ""
    import_filename: str = ""
    import_format: str = ""
    import_tables: list[TableView] = []
    import_question_count: int = 0
    import_problem: str = ""
    import_suggested: bool = True  # the mapping shown is the one we suggested
    map_table: str = ""
    map_header_row: int = 0
    map_columns: dict[str, str] = {}
    import_title: str = ""
    import_kb_ids: list[str] = []
    import_busy: bool = False
    _import_data: bytes = b""
    _suggested: dict = {}  # the suggested mapping (import_preview.mapping's form)

    def _forget_file(self) -> None:
        self._import_data = b""
        self.import_filename = self.import_format = self.import_problem = ""
        self.import_tables, self.import_question_count = [], 0
        self.map_table, self.map_header_row, self.map_columns = "", 0, {}

    @rx.event
    def open_import(self):
        self._forget_file()
        self.import_error, self.import_received, self.import_title = "", "", ""
        self.import_kb_ids, self.import_open = [], True

    @rx.event
    def import_dialog_changed(self, is_open: bool):
        self.import_open = is_open
        if not is_open and not self.import_receiving:
            self._forget_file()

    @rx.event
    def choose_another_file(self):
        self._forget_file()
        self.import_error = self.import_received = ""

    @rx.event
    def import_upload_started(self):
        """The drop zone's first event: the file is on its way."""
        self._forget_file()
        self.import_error, self.import_received = "", "Receiving…"
        self.import_receiving = True

    @rx.event(background=True)
    async def receive_questionnaire(self, chunks: rx.UploadChunkIterator):
        """Stream the file in (bounded), then read it for the preview."""
        async with self:
            token = session_token(self.router.headers.cookie)
        user = await asyncio.to_thread(auth.user_for_token, token) if token else None
        if user is None:
            return await self._refuse(SIGNED_OUT)
        got = await receive_file(chunks, self._show_received)
        if got.refused:
            return await self._refuse(got.refused)
        data = bytes(got.data)
        try:
            preview = await asyncio.to_thread(
                questionnaire_import.preview_questionnaire, user, got.filename, data
            )
        except Refused as refused:
            return await self._refuse(str(refused))
        async with self:
            self._show_preview(preview, data)
        return None

    async def _show_received(self, size: int) -> None:
        async with self:
            self.import_received = f"{human_size(size)} received"

    async def _refuse(self, message: str) -> None:
        async with self:
            self._forget_file()
            self.import_receiving, self.import_received = False, ""
            self.import_error = message

    def _show_preview(self, preview: questionnaire_import.Preview, data: bytes) -> None:
        self._import_data = data
        self.import_receiving, self.import_received = False, ""
        self.import_filename, self.import_format = preview.filename, preview.format
        self.import_tables = import_preview.table_views(preview)
        self.map_table = str(preview.mapping.get("table") or "")
        self.map_header_row, self.map_columns = import_preview.suggested_choices(preview.mapping)
        self.import_question_count, self.import_problem = preview.question_count, preview.problem
        self._suggested = self._chosen_mapping()
        self.import_suggested = True
        self.import_title = self.import_title or import_preview.title_from(preview.filename)

    # -- the mapping ------------------------------------------------------------------------

    @rx.event
    def set_map_table(self, name: str):
        """Another sheet or table, with the mapping suggested for it."""
        table = next((t for t in self.import_tables if t.name == name), None)
        if table is not None and name != self.map_table:
            self.map_table, self.map_header_row = name, table.header_row
            self.map_columns = dict(table.choices)
            self._mapping_changed()

    @rx.event
    def set_map_header_row(self, value: str):
        if value.isdigit() and int(value) <= import_preview.MAX_HEADER_ROW:
            self.map_header_row = int(value)
            self._mapping_changed()

    @rx.event
    def set_map_column(self, field: str, value: str):
        known = any(c.value == value for c in self.shown_table.columns)
        if any(field == name for name, _ in ROLES) and (known or value == NONE):
            self.map_columns = {**self.map_columns, field: value}
            self._mapping_changed()

    def _chosen_mapping(self) -> dict:
        return import_preview.mapping(self.map_table, self.map_header_row, self.map_columns)

    def _mapping_changed(self) -> None:
        """The suggestion's count holds only while the mapping is still the suggested one."""
        self.import_suggested = self._chosen_mapping() == self._suggested

    # -- title, KBs, create -----------------------------------------------------------------

    @rx.event
    def set_import_title(self, value: str):
        self.import_title = value[: MAX_TITLE + 1]

    @rx.event
    def pick_import_kb(self, kb_id: str, checked: bool):
        if any(kb.id == kb_id for kb in self.kbs):
            self.import_kb_ids = toggled(self.import_kb_ids, kb_id, checked)

    @rx.event
    def pick_all_import_kbs(self, checked: bool):
        if checked:
            self.import_kb_ids = []

    @rx.event
    async def create_from_import(self):
        self.import_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/drafts")
        if not self._import_data:
            self.import_error = "Choose the questionnaire file first."
            return None
        self.import_busy = True
        try:
            draft = await asyncio.to_thread(self._create_call(user))
        except Refused as refused:
            self.import_error = str(refused)
            return None
        finally:
            self.import_busy = False
        self._forget_file()
        self.import_open = False
        return rx.redirect(f"/drafts/{draft.id}")

    def _create_call(self, user: User):
        kb_ids = chosen_kbs(self.import_kb_ids, [kb.id for kb in self.kbs])
        mapping = self._chosen_mapping()
        args = (user, self.import_title, kb_ids, self.import_filename, self._import_data, mapping)
        ip = self._ip() or None
        return lambda: questionnaire_import.create_from_questionnaire(*args, ip=ip)

    # -- what the dialog shows --------------------------------------------------------------

    @rx.var
    def has_preview(self) -> bool:
        return self.import_filename != ""

    @rx.var
    def shown_table(self) -> TableView:
        found = [table for table in self.import_tables if table.name == self.map_table]
        return found[0] if found else TableView("", "rows")

    @rx.var
    def preview_header(self) -> list[HeaderCell]:
        return import_preview.header_cells(self.shown_table, self.map_columns)

    @rx.var
    def several_tables(self) -> bool:
        return len(self.import_tables) > 1

    @rx.var
    def question_count_label(self) -> str:
        if not self.import_suggested:
            return "Questions are counted again when you create the draft."
        count = self.import_question_count
        return "1 question found" if count == 1 else f"{count} questions found"

    @rx.var
    def import_kbs_label(self) -> str:
        return filter_label(self.import_kb_ids, {kb.id: kb.name for kb in self.kbs})

    @rx.var
    def import_kbs_used(self) -> str:
        return kbs_in_words(self.import_kb_ids, {kb.id: kb.name for kb in self.kbs})

    @rx.var
    def import_limit_label(self) -> str:
        return f"XLSX, CSV or DOCX · up to {LIMIT_MB} MB"
