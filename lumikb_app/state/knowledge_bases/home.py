"""The home page: the knowledge base cards, and the "Archived" filter that lists the archived KBs
the user may restore (services/knowledge_bases/kb_archive checks who may, and restores)."""

import asyncio

import reflex as rx

from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_archive
from lumikb_app.state.knowledge_bases.home_cards import KbCard, home_cards
from lumikb_app.state.shell import ShellState

FILTERS = ("active", "archived")


class HomeState(ShellState):
    cards: list[KbCard] = []
    archived_cards: list[KbCard] = []
    home_filter: str = "active"
    restore_open: bool = False
    restore_id: str = ""
    restore_name: str = ""
    home_error: str = ""
    home_notice: str = ""

    async def _load_cards(self) -> bool:
        user = await self.current_user()
        if user is None:
            return False
        self.cards, self.archived_cards = await asyncio.to_thread(home_cards, user)
        return True

    @rx.event
    async def load_home(self):
        """on_load of the home page, after check_session: the cards and the archived list."""
        self.home_error = self.home_notice = ""
        self.home_filter, self.restore_open = "active", False
        await self._load_cards()

    @rx.event
    def set_home_filter(self, value: str):
        if value in FILTERS:
            self.home_filter = value
            self.home_error = self.home_notice = ""

    @rx.event
    def ask_restore(self, kb_id: str):
        """Open the confirmation for one of the listed archived KBs."""
        found = next((card for card in self.archived_cards if card.id == kb_id), None)
        if found is not None:
            self.restore_id, self.restore_name, self.restore_open = found.id, found.name, True

    @rx.event
    def restore_dialog_changed(self, is_open: bool):
        self.restore_open = is_open

    @rx.event
    async def restore_kb(self):
        self.home_error = self.home_notice = ""
        self.restore_open = False
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            kb = await asyncio.to_thread(kb_archive.restore_kb, user, self.restore_id, self._ip())
        except (InvalidInput, PermissionDenied) as refused:
            self.home_error = str(refused)
            return None
        self.home_notice = f"Restored {kb.name}: it is back in your knowledge bases."
        await self._load_cards()
        return ShellState.load_sidebar

    @rx.var
    def has_archived(self) -> bool:
        return len(self.archived_cards) > 0
