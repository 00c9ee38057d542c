"""The draft page's history panel: the versions of the whole draft (or of one section), who made
each and when; someone who may edit restores one (services/drafting/versions writes it as a new
version, so history only grows)."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import draft_summaries, versions
from lumikb_app.services.drafting.versions import VersionView
from lumikb_app.state.drafting.panel_base import moment, route_draft_id
from lumikb_app.state.shell import ShellState

EXCERPT_CHARS = 240
CHANGE_LABELS = {
    "generated": "Written from the sources",
    "edited": "Edited",
    "accepted": "Regenerated answer accepted",
    "restored": "Restored",
    "reviewed": "Marked reviewed",
    "unreviewed": "Review undone",
}
Refused = (DraftInputError, PermissionDenied)


@dataclass
class VersionRow:
    id: str
    number: str  # "v3"
    change: str  # what happened, in words
    who: str
    when: str
    exact: str
    section_id: str
    section_title: str
    excerpt: str


def version_row(view: VersionView, titles: dict[str, str]) -> VersionRow:
    when, exact = moment(view.created_at)
    text = " ".join(view.content.split())
    excerpt = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
    return VersionRow(
        id=view.id,
        number=f"v{view.number}",
        change=CHANGE_LABELS.get(view.change, view.change.capitalize()),
        who=view.changed_by_name,
        when=when,
        exact=exact,
        section_id=view.section_id,
        section_title=view.section_title or titles.get(view.section_id, ""),
        excerpt=excerpt or "(empty)",
    )


def _load(user: User, draft_id: str, section_id: str) -> tuple[bool, str, list[VersionRow]]:
    """Whether the caller may restore, the section's title ("" for the whole draft), the rows."""
    outline = draft_summaries.draft_outline(user, draft_id)
    titles = dict(outline.sections)
    if section_id and section_id in titles:
        views = versions.section_history(user, section_id)
    else:
        section_id, views = "", versions.draft_history(user, draft_id)
    rows = [version_row(view, titles) for view in views]
    return outline.role in ("owner", "edit"), titles.get(section_id, ""), rows


class HistoryState(ShellState):
    version_rows: list[VersionRow] = []
    history_of: str = ""  # the draft whose history is shown
    history_section: str = ""  # one section's versions ("": the whole draft's)
    history_section_title: str = ""
    history_can_restore: bool = False
    history_error: str = ""
    history_notice: str = ""
    restore_version_id: str = ""
    restore_version_label: str = ""

    async def _reload(self, user: User) -> None:
        try:
            loaded = await asyncio.to_thread(_load, user, self.history_of, self.history_section)
        except Refused as refused:
            self.version_rows, self.history_can_restore = [], False
            self.history_error = str(refused)
            return
        self.history_can_restore, self.history_section_title, self.version_rows = loaded
        if not self.history_section_title:
            self.history_section = ""

    async def _show(self, section_id: str) -> None:
        self.history_of, self.history_section = route_draft_id(self), section_id
        self.history_error = self.history_notice = ""
        user = await self.current_user()
        if user is not None and self.history_of:
            await self._reload(user)

    @rx.event
    async def load_history(self):
        """On the draft page's load (or when the panel opens): the whole draft's latest changes."""
        await self._show("")

    @rx.event
    async def show_section_history(self, section_id: str):
        """A section's "History" button: that section's versions."""
        await self._show(section_id)

    @rx.event
    def ask_restore_version(self, version_id: str):
        found = next((row for row in self.version_rows if row.id == version_id), None)
        if found is not None and self.history_can_restore:
            self.restore_version_id = found.id
            self.restore_version_label = f"{found.number} of “{found.section_title}”"

    @rx.event
    def restore_dialog_changed(self, is_open: bool):
        if not is_open:
            self.restore_version_id = ""

    @rx.event
    async def confirm_restore_version(self, version_id: str):
        self.restore_version_id = ""
        self.history_error = self.history_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        label = next((r.number for r in self.version_rows if r.id == version_id), "The version")
        try:
            section = await asyncio.to_thread(versions.restore_version, user, version_id)
        except Refused as refused:
            self.history_error = str(refused)
            return None
        self.history_notice = f"Restored {label} of “{section.title}”."
        await self._reload(user)
        return None

    @rx.var
    def history_heading(self) -> str:
        if self.history_section_title:
            return f"History of “{self.history_section_title}”"
        return "Latest changes"
