"""The draft page (/drafts/[draft_id]): its sections, generation with live progress, review,
regeneration with a proposal to accept or reject, and the live view of other people's changes.

Thin: each event makes one service call (services/drafting/*), which checks the caller's role
on the draft; the state holds no SQL. Editing a section's text is in state/drafting/section_edit.py.

Live: `watch_draft` is a background event started by the page load (and by every action, in
case it idled out). state/drafting/draft_watch.py reads what changed after the revision the
page last applied, about twice a second, and the page applies it: a section that changed
replaces its entry; a section being written goes to `live_segments` (only that section's text,
never the whole list per write); progress and who is editing are small dicts of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from lumikb_app.api.drafting.downloads import export_path
from lumikb_app.db.tables import Draft, DraftSection, User
from lumikb_app.domain.drafting import MAX_INSTRUCTION, DraftInputError, SectionMode
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import drafts, generation, sections
from lumikb_app.services.drafting.drafts import DraftChanges
from lumikb_app.state.chat.chat_view import Segment, segments
from lumikb_app.state.drafting import comments, draft_watch
from lumikb_app.state.drafting.draft_watch import Look, Read
from lumikb_app.state.drafting.panel_base import route_draft_id
from lumikb_app.state.drafting.section_view import (
    SectionProgress,
    SectionView,
    overall,
    progress_of,
    section_view,
    strip_note,
)
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

WATCH_STALE_SECONDS = 5.0  # a watcher silent this long is gone (e.g. its process restarted)
EDITORS_EVERY_SECONDS = 10.0  # re-read who is editing this often (locks lapse silently)
LOCK_RENEW_SECONDS = 60.0  # the editing person's lock is renewed this often while open
REFUSED = (DraftInputError, PermissionDenied)
PANEL_TABS = ("people", "comments", "history")
PANEL_ID = "draft-side-panel"
# Below the lg breakpoint the panel sits after every section: bring it into view there.
SHOW_PANEL_SCRIPT = (
    f"if (window.innerWidth < 992) document.getElementById('{PANEL_ID}')"
    "?.scrollIntoView({behavior: 'smooth', block: 'start'});"
)
STARTED = "Drafting started: sections fill in as they are written."
FORMAT_NAMES = {"xlsx": "Excel", "csv": "CSV", "docx": "Word"}


@dataclass(frozen=True)
class _Opened:
    draft: Draft
    role: str
    sections: list[DraftSection]
    editors: dict[str, str]


def _open(user: User, draft_id: str) -> _Opened:
    opened = drafts.open_draft(user, draft_id)
    editors = sections.editing_now(user, draft_id)
    return _Opened(opened.draft, opened.role, opened.sections, editors)


def _live_text(section: DraftSection) -> tuple[str, list[dict[str, Any]], bool]:
    """The text being written into a section: its proposal when it is being regenerated."""
    proposal = section.proposal or {}
    if proposal.get("content") and section.content.strip():
        return str(proposal["content"]), list(proposal.get("sources") or []), True
    return section.content, list(section.sources or []), False


class DraftEditorState(ShellState):
    open_draft_id: str = ""
    draft_title: str = ""
    draft_brief: str = ""  # what the draft is about, as its owner described it
    role: str = ""  # owner | edit | view
    source_kind: str = ""
    questionnaire_format: str = ""
    draft_loaded: bool = False
    draft_error: str = ""
    notice: str = ""

    sections: list[SectionView] = []
    progress: dict[str, SectionProgress] = {}
    editing_by: dict[str, str] = {}  # section id -> the name of the other person editing it
    live_section_id: str = ""
    live_is_proposal: bool = False
    live_segments: list[Segment] = []
    gen_active: bool = False
    gen_percent: int = 0
    gen_label: str = ""

    error_section_id: str = ""  # the section a refused action was about
    section_error: str = ""
    regen_id: str = ""  # the section whose "Regenerate with an instruction" form is open
    edit_id: str = ""  # the section this person is editing (state/drafting/section_edit.py)
    panel_tab: str = "people"  # the side panel's tab: people | comments | history

    _revision: int = 0
    _me: str = ""
    _editors_at: float = 0.0
    _lock_renewed_at: float = 0.0
    _watch_beat: float = 0.0

    # -- loading ------------------------------------------------------------------------------

    def _on_draft_page(self, draft_id: str) -> bool:
        path = self.router.url.path.rstrip("/")
        return bool(draft_id) and path == f"/drafts/{draft_id}"

    @rx.event
    async def load_draft(self):
        """on_load of /drafts/[draft_id], after check_session."""
        draft_id = route_draft_id(self)
        self._reset_view(draft_id)
        user = await self.current_user()
        if user is None or not draft_id:
            return None
        try:
            opened = await asyncio.to_thread(_open, user, draft_id)
        except REFUSED as refused:
            self.draft_error, self.draft_loaded = str(refused), True
            return None
        self._me = user.id
        self._show_opened(opened)
        return DraftEditorState.watch_draft

    def _reset_view(self, draft_id: str) -> None:
        self.open_draft_id, self.draft_loaded, self.draft_error, self.notice = (
            draft_id,
            False,
            "",
            "",
        )
        self.sections, self.progress, self.editing_by = [], {}, {}
        self._clear_live()
        self.error_section_id = self.section_error = self.regen_id = self.edit_id = ""
        self.gen_active, self.gen_percent, self.gen_label = False, 0, ""
        self._revision = 0

    def _show_opened(self, opened: _Opened) -> None:
        self._show_draft(opened.draft)
        self.role = opened.role
        self.source_kind = opened.draft.source_kind
        fmt = str((opened.draft.questionnaire or {}).get("format") or "")
        self.questionnaire_format = fmt
        self.sections = [section_view(section) for section in opened.sections]
        self.progress = {s.id: progress_of(s) for s in opened.sections}
        self._show_live(opened.sections)
        self.editing_by, self._editors_at = opened.editors, time.time()
        self._show_overall(opened.draft)
        self.draft_loaded = True

    def _show_draft(self, draft: Draft) -> None:
        self.draft_title, self.draft_brief = draft.title, draft.brief
        self._revision = max(self._revision, draft.revision)

    def _show_overall(self, draft: Draft) -> None:
        bar = overall(draft, self.progress)
        ended = self.gen_active and not bar.active
        self.gen_active, self.gen_percent, self.gen_label = bar.active, bar.percent, bar.label
        if ended and self.notice in ("", STARTED):
            self.notice = self._run_summary()

    def _run_summary(self) -> str:
        """What a finished run left: "Drafted 18 of 20 sections · 2 not covered"."""
        covered = self.answered_count
        written = covered + self.not_covered_count
        total = len(self.sections)
        summary = f"Drafted {covered} of {total} section{'' if total == 1 else 's'}"
        if written > covered:
            summary += f" · {written - covered} not covered"
        if total > written:
            summary += f" · {total - written} still empty"
        return summary + "."

    # -- applying changes ---------------------------------------------------------------------

    def _clear_live(self) -> None:
        self.live_section_id, self.live_is_proposal, self.live_segments = "", False, []

    def _show_live(self, rows: list[DraftSection]) -> None:
        writing = next((row for row in rows if row.generation_state == "generating"), None)
        if writing is None:
            if self.live_section_id in {row.id for row in rows}:
                self._clear_live()
            return
        text, sources, is_proposal = _live_text(writing)
        self.live_section_id, self.live_is_proposal = writing.id, is_proposal
        self.live_segments = segments(strip_note(text), sources)

    def _apply(self, changes: DraftChanges) -> bool:
        """Show what changed; whether anything did."""
        self._show_draft(changes.draft)
        if not changes.sections:
            before = (self.gen_active, self.gen_percent, self.gen_label)
            self._show_overall(changes.draft)
            return before != (self.gen_active, self.gen_percent, self.gen_label)
        views, at = list(self.sections), {view.id: i for i, view in enumerate(self.sections)}
        progress = dict(self.progress)
        for row in changes.sections:
            progress[row.id] = progress_of(row)
            if row.generation_state == "generating":
                continue  # its text goes to the live var; its entry changes once it is written
            view = section_view(row)
            if row.id in at and views[at[row.id]] != view:
                views[at[row.id]] = view
        if views != self.sections:
            self.sections = views
        if progress != self.progress:
            self.progress = progress
        self._show_live(changes.sections)
        self._show_overall(changes.draft)
        return True

    def _apply_section(self, row: DraftSection) -> None:
        """A section an action of this person returned: shown at once, not at the next tick."""
        self.sections = [section_view(row) if v.id == row.id else v for v in self.sections]
        self.progress = {**self.progress, row.id: progress_of(row)}

    # -- the live view ------------------------------------------------------------------------

    @rx.event(background=True)
    async def watch_draft(self):
        """Follow the draft while the page is open. One watcher per tab: a start while one is
        alive (its heartbeat is recent) does nothing."""
        async with self:
            if time.time() - self._watch_beat < WATCH_STALE_SECONDS:
                return
            self._watch_beat = time.time()
        try:
            await draft_watch.watch(_WatchedDraft(self), _read)
        finally:
            async with self:
                self._watch_beat = 0.0

    def _look(self) -> Look | None:
        if not self.draft_loaded or self.draft_error or not self._on_draft_page(self.open_draft_id):
            return None
        self._watch_beat = time.time()
        now = time.time()
        editors = now - self._editors_at >= EDITORS_EVERY_SECONDS
        renew = bool(self.edit_id) and now - self._lock_renewed_at >= LOCK_RENEW_SECONDS
        if renew:
            self._lock_renewed_at = now
        return Look(
            draft_id=self.open_draft_id,
            revision=self._revision,
            token=session_token(self.router.headers.cookie),
            tab=self.router.session.client_token,
            editors=editors,
            renew=self.edit_id if renew else "",
            editing=self.edit_id,
        )

    def _show_read(self, look: Look, read: Read) -> bool | None:
        if not self._on_draft_page(self.open_draft_id):
            return None
        if look.draft_id != self.open_draft_id:
            return False  # the tab opened another draft meanwhile: follow that one
        if read.refusal:  # nothing of a draft the person may no longer read stays shown
            self._reset_view(self.open_draft_id)
            self.draft_error, self.draft_loaded = read.refusal, True
            return None
        changed = False
        if read.changes is not None and read.changes.revision > self._revision:
            changed = self._apply(read.changes)
        if read.editors is not None:
            self._editors_at = time.time()
            editors = {k: v for k, v in read.editors.items() if k != self.edit_id}
            if editors != self.editing_by:
                self.editing_by, changed = editors, True
        return changed

    # -- generation ---------------------------------------------------------------------------

    async def _act(self, call: Callable[[User], Any], section_id: str = "") -> Any:
        """Run one service call for the signed-in person off the event loop; a refusal is shown
        (beside the section it was about) and returns None."""
        self.error_section_id, self.section_error, self.notice = section_id, "", ""
        user = await self.current_user()
        if user is None:
            self.section_error = "Your session has ended. Sign in again to continue."
            return None
        try:
            return await asyncio.to_thread(call, user)
        except REFUSED as refused:
            self.section_error = str(refused)
            return None

    @rx.event
    async def generate(self, section_id: str):
        """Write the empty and drafted sections ("" ), or just the one given."""
        draft_id, ip = self.open_draft_id, self._ip() or None
        ids = [section_id] if section_id else None
        started = await self._act(
            lambda user: generation.start_generation(user, draft_id, ids, ip=ip), section_id
        )
        if started is not None:
            self.gen_active = True
            self.notice = STARTED
        return DraftEditorState.watch_draft

    @rx.event
    async def stop_generation(self):
        draft_id = self.open_draft_id
        await self._act(lambda user: generation.cancel_generation(user, draft_id))
        return DraftEditorState.watch_draft

    @rx.event
    def set_panel_tab(self, tab: str):
        self.panel_tab = tab if tab in PANEL_TABS else "people"

    @rx.event
    def show_panel(self, tab: str):
        """A section's Comments/History: the panel's tab, scrolled to on a narrow screen."""
        self.panel_tab = tab if tab in PANEL_TABS else "people"
        return rx.call_script(SHOW_PANEL_SCRIPT)

    @rx.event
    def open_regenerate(self, section_id: str):
        self.regen_id = section_id if any(v.id == section_id for v in self.sections) else ""
        self.error_section_id = self.section_error = ""

    @rx.event
    def close_regenerate(self):
        self.regen_id = ""

    @rx.event
    async def regenerate(self, form_data: dict):
        """Write the section again with the person's extra instruction; with text already
        there, the new answer waits beside it to be accepted or rejected."""
        section_id = self.regen_id
        instruction = str(form_data.get("instruction") or "").strip()[: MAX_INSTRUCTION + 1]
        ip = self._ip() or None
        started = await self._act(
            lambda user: generation.regenerate_section(user, section_id, instruction, ip=ip),
            section_id,
        )
        if started is not None:
            self.regen_id = ""
            self.progress = {**self.progress, section_id: SectionProgress("queued", 0, "")}
        return DraftEditorState.watch_draft

    @rx.event
    async def accept_proposal(self, section_id: str):
        row = await self._act(lambda user: generation.accept_proposal(user, section_id), section_id)
        if row is not None:
            self._apply_section(row)
        return DraftEditorState.watch_draft

    @rx.event
    async def reject_proposal(self, section_id: str):
        row = await self._act(lambda user: generation.reject_proposal(user, section_id), section_id)
        if row is not None:
            self._apply_section(row)
        return DraftEditorState.watch_draft

    # -- review -------------------------------------------------------------------------------

    @rx.event
    async def set_reviewed(self, section_id: str, reviewed: bool):
        row = await self._act(
            lambda user: sections.set_reviewed(user, section_id, reviewed), section_id
        )
        if row is not None:
            self._apply_section(row)
        return DraftEditorState.watch_draft

    @rx.event
    async def mark_all_reviewed(self):
        draft_id = self.open_draft_id
        count = await self._act(lambda user: sections.mark_all_reviewed(user, draft_id))
        if count is not None:
            self.notice = (
                "Every answered section was already reviewed."
                if count == 0
                else f"{count} section{'' if count == 1 else 's'} marked reviewed."
            )
        return DraftEditorState.watch_draft

    # -- what the page derives ----------------------------------------------------------------

    @rx.var
    def can_edit(self) -> bool:
        return self.role in ("owner", "edit")

    @rx.var
    def answered_count(self) -> int:
        return sum(1 for v in self.sections if v.status != "empty" and not v.not_covered)

    @rx.var
    def not_covered_count(self) -> int:
        return sum(1 for v in self.sections if v.not_covered)

    @rx.var
    def reviewed_count(self) -> int:
        """Reviewed sections of any kind: a "not covered" answer can be reviewed too, so the
        page says "19 of 20 reviewed" rather than more reviewed than answered."""
        return sum(1 for v in self.sections if v.status == "reviewed")

    @rx.var
    def counts_label(self) -> str:
        """ "18 of 20 answered · 2 not covered · 19 of 20 reviewed": reviewed is out of every
        section, since a "not covered" answer can be reviewed too."""
        total = len(self.sections)
        label = f"{self.answered_count} of {total} answered"
        if self.not_covered_count:
            label += f" · {self.not_covered_count} not covered"
        return label + f" · {self.reviewed_count} of {total} reviewed"

    @rx.var
    def generate_label(self) -> str:
        return (
            "Generate the rest" if any(v.status != "empty" for v in self.sections) else "Generate"
        )

    @rx.var
    def can_generate(self) -> bool:
        """Only sections never written (status empty, no text) are left for a run to draft."""
        return not self.gen_active and any(_unwritten(v) for v in self.sections)

    @rx.var
    def generate_hint(self) -> str:
        """Why the generate button is disabled (its title), or what it will do."""
        if self.gen_active:
            return "Drafting is under way."
        left = sum(1 for v in self.sections if _unwritten(v))
        if left == 0:
            return "Every section has text. Regenerate a section to write it again."
        return f"Draft the {left} section{'' if left == 1 else 's'} without text."

    @rx.var
    def extractive(self) -> bool:
        return any(v.mode == SectionMode.extractive.value for v in self.sections)

    @rx.var
    def export_links(self) -> dict[str, str]:
        formats = ["docx", "pdf", "md"]
        if self.source_kind == "questionnaire":
            formats.append("original")
        return {fmt: export_path(self.open_draft_id, fmt) for fmt in formats}

    @rx.var
    def original_label(self) -> str:
        name = FORMAT_NAMES.get(self.questionnaire_format, "the original format")
        return f"{name} (the questionnaire, filled in)"


def _unwritten(view: SectionView) -> bool:
    return view.status == "empty" and not view.segments


def _read(look: Look) -> Read:
    read = draft_watch.read_changes(look)
    if read.user is None or read.refusal:
        return read
    if look.renew:
        with contextlib.suppress(*REFUSED):  # a save will say why (the lock was taken over)
            sections.start_editing(read.user, look.renew)
    if look.editors or (read.changes is not None and read.changes.sections):
        try:
            return Read(
                read.user, read.changes, editors=sections.editing_now(read.user, look.draft_id)
            )
        except PermissionDenied as refused:
            return Read(read.user, refusal=str(refused))
    return read


class _WatchedDraft:
    """draft_watch.WatchedDraft for the watch_draft background event."""

    def __init__(self, state: DraftEditorState) -> None:
        self._state = state

    async def look(self) -> Look | None:
        async with self._state:
            return self._state._look()

    async def show(self, look: Look, read: Read) -> bool | None:
        async with self._state:
            state = self._state
            shown = state._show_read(look, read)
            if shown is not None:  # comments move the revision too: an open panel shows them
                open_ = state.panel_tab == "comments"
                await comments.follow_revision(
                    state, read.user, state.open_draft_id, state._revision, open_
                )
            return shown
