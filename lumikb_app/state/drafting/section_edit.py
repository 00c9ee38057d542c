"""Editing one section's text in place: a Markdown text area with a live preview whose `[n]`
badges are the section's sources, Save and Cancel.

Opening the editor takes the section's edit lock (services/drafting/sections.start_editing), so
the other people on the draft see "X is editing" and cannot save over it; the page's watcher
renews the lock while the editor stays open. A save the service refuses (someone changed the
section meanwhile, the lock lapsed and was taken, the text is too long) is explained above the
editor, and the person's text stays in it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from lumikb_app.domain.drafting import MAX_SECTION_TEXT
from lumikb_app.services.drafting import sections
from lumikb_app.state.chat.chat_view import Segment, SourceView, segments, source_views
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.section_view import strip_note

EDITOR_ID = "section-editor-text"


class SectionEditState(DraftEditorState):
    edit_text: str = ""
    edit_preview: list[Segment] = []
    edit_sources: list[SourceView] = []
    edit_error: str = ""
    edit_saving: bool = False
    _edit_base: int = 0
    _edit_cited: list[dict[str, Any]] = []

    def _close_editor(self) -> None:
        self.edit_id, self.edit_text, self.edit_error = "", "", ""
        self.edit_preview, self.edit_sources, self.edit_saving = [], [], False
        self._edit_base, self._edit_cited = 0, []

    @rx.event
    async def start_edit(self, section_id: str):
        """Open the editor on the section's text, holding its lock."""
        if self.edit_id:
            return None  # one section at a time: save or cancel the open one first
        row = await self._act(lambda user: sections.start_editing(user, section_id), section_id)
        if row is None:
            return DraftEditorState.watch_draft
        self._apply_section(row)
        self.edit_id, self.edit_error, self.regen_id = row.id, "", ""
        self._edit_base, self._edit_cited = row.revision, list(row.sources or [])
        self.edit_sources = source_views(self._edit_cited, self._edit_cited)
        self._preview(strip_note(row.content))
        return DraftEditorState.watch_draft

    def _preview(self, text: str) -> None:
        self.edit_text = text
        self.edit_preview = segments(text, self._edit_cited)

    @rx.event
    def edit_changed(self, text: str):
        """The text area's text (debounced): the preview follows it."""
        if self.edit_id:
            self._preview(text[:MAX_SECTION_TEXT])

    @rx.event
    async def save_edit(self, form_data: dict):
        section_id, text = self.edit_id, str(form_data.get("content") or "")
        if not section_id:
            return None
        self._preview(text)
        base = self._edit_base
        self.edit_saving = True
        row = await self._act(lambda user: sections.save_section(user, section_id, text, base))
        self.edit_saving = False
        if row is None:
            self.edit_error, self.section_error = self.section_error, ""
            return rx.set_value(EDITOR_ID, text)  # the person's text stays where it was
        self._close_editor()
        self._apply_section(row)
        self.notice = "Saved."
        return DraftEditorState.watch_draft

    @rx.event
    async def cancel_edit(self):
        section_id = self.edit_id
        self._close_editor()
        if section_id:
            await self._act(lambda user: sections.stop_editing(user, section_id), section_id)
        return DraftEditorState.watch_draft
