"""The drafts page: the user's own drafts and those shared with them, each with its sections'
status counts; rename (edit role) and delete (owner, after a confirmation).
services/drafting checks every action again."""

import asyncio

import reflex as rx

from lumikb_app.domain.drafting import MAX_TITLE, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import draft_summaries, drafts
from lumikb_app.state.drafting.draft_rows import DraftRow, draft_row
from lumikb_app.state.shell import ShellState

FILTERS = ("mine", "shared")
LOGIN = "/login?next=/drafts"


def _rows(user) -> list[DraftRow]:
    return [draft_row(summary) for summary in draft_summaries.draft_summaries(user)]


class DraftsListState(ShellState):
    draft_rows: list[DraftRow] = []
    drafts_loaded: bool = False
    drafts_filter: str = "mine"
    drafts_error: str = ""
    drafts_notice: str = ""
    rename_draft_id: str = ""
    rename_draft_title: str = ""
    rename_draft_error: str = ""
    delete_draft_id: str = ""
    delete_draft_title: str = ""

    async def _reload(self) -> bool:
        user = await self.current_user()
        if user is None:
            return False
        self.draft_rows = await asyncio.to_thread(_rows, user)
        self.drafts_loaded = True
        return True

    @rx.event
    async def load_drafts(self):
        """on_load of /drafts, after check_session."""
        self.drafts_error = self.drafts_notice = ""
        self.rename_draft_id = self.delete_draft_id = ""
        await self._reload()

    @rx.event
    def set_drafts_filter(self, value: str):
        if value in FILTERS:
            self.drafts_filter = value

    # -- rename ------------------------------------------------------------------------------

    @rx.event
    def ask_rename_draft(self, draft_id: str):
        found = next((row for row in self.draft_rows if row.id == draft_id), None)
        if found is not None and found.can_edit:
            self.rename_draft_id, self.rename_draft_title = found.id, found.title
            self.rename_draft_error = ""

    @rx.event
    def rename_draft_dialog_changed(self, is_open: bool):
        if not is_open:
            self.rename_draft_id = self.rename_draft_error = ""

    @rx.event
    async def rename_draft(self, form_data: dict):
        user = await self.current_user()
        if user is None:
            return rx.redirect(LOGIN)
        title = str(form_data.get("title") or "")[: MAX_TITLE + 1]
        try:
            await asyncio.to_thread(drafts.rename_draft, user, self.rename_draft_id, title)
        except (DraftInputError, PermissionDenied) as refused:
            self.rename_draft_error = str(refused)
            return None
        self.rename_draft_id = self.rename_draft_error = ""
        await self._reload()
        return None

    # -- delete ------------------------------------------------------------------------------

    @rx.event
    def ask_delete_draft(self, draft_id: str):
        found = next((row for row in self.draft_rows if row.id == draft_id), None)
        if found is not None and found.is_owner:
            self.delete_draft_id, self.delete_draft_title = found.id, found.title

    @rx.event
    def delete_draft_dialog_changed(self, is_open: bool):
        if not is_open:
            self.delete_draft_id = ""

    @rx.event
    async def confirm_delete_draft(self, draft_id: str):
        """The dialog passes the id it shows, so closing it first cannot lose the target."""
        self.delete_draft_id = ""
        self.drafts_error = self.drafts_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect(LOGIN)
        title = next((row.title for row in self.draft_rows if row.id == draft_id), "The draft")
        try:
            await asyncio.to_thread(drafts.delete_draft, user, draft_id, self._ip() or None)
        except (DraftInputError, PermissionDenied) as refused:
            self.drafts_error = str(refused)
            return None
        self.drafts_notice = f"Deleted {title}."
        await self._reload()
        return None

    # -- what the page shows -----------------------------------------------------------------

    @rx.var
    def my_drafts(self) -> list[DraftRow]:
        return [row for row in self.draft_rows if row.is_owner]

    @rx.var
    def shared_drafts(self) -> list[DraftRow]:
        return [row for row in self.draft_rows if not row.is_owner]

    @rx.var
    def shown_drafts(self) -> list[DraftRow]:
        return self.my_drafts if self.drafts_filter == "mine" else self.shared_drafts

    @rx.var
    def mine_label(self) -> str:
        return f"My drafts ({len(self.my_drafts)})"

    @rx.var
    def shared_label(self) -> str:
        return f"Shared with me ({len(self.shared_drafts)})"
