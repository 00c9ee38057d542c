"""The signed-in shell: the sidebar's knowledge bases and the knowledge base page."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.services.accounts import access, auth
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kbs as kb_service
from lumikb_app.state.session import AppState

KB_ROUTE_ARG = "kb_id"
NOT_FOUND_MESSAGE = "Knowledge base not found or you do not have access"


@dataclass
class KbSummary:
    id: str
    name: str
    description: str


def _readable_kbs(user: User) -> list[KbSummary]:
    return [KbSummary(kb.id, kb.name, kb.description) for kb in kb_service.list_kbs(user)]


def signed_in_shell(token: str) -> tuple[User | None, list[KbSummary]]:
    """The user behind a session token and the sidebar's knowledge bases: what every signed-in
    page shows first (AppState.check_session), read on one worker thread."""
    user = auth.user_for_token(token)
    return user, _readable_kbs(user) if user else []


def _kb_for(user: User, kb_id: str) -> KbSummary | None:
    try:
        kb = kb_service.get_kb(user, kb_id)
    except access.PermissionDenied:
        return None
    return KbSummary(kb.id, kb.name, kb.description)


class ShellState(AppState):
    kbs: list[KbSummary] = []
    selected_kb_id: str = ""

    def _route_kb_id(self) -> str:
        """The `[kb_id]` of the /kb/[kb_id] route (Reflex adds it as a var on the root state)."""
        return str(getattr(self, KB_ROUTE_ARG, "") or "")

    @rx.event
    async def load_sidebar(self):
        """After a knowledge base changes: the knowledge bases this user may read (a page load
        gets them from check_session)."""
        self.selected_kb_id = self._route_kb_id()
        user = await self.current_user()
        self.kbs = await asyncio.to_thread(_readable_kbs, user) if user else []

    @rx.var
    def has_kbs(self) -> bool:
        return len(self.kbs) > 0


class KbPageState(ShellState):
    kb_name: str = ""
    kb_description: str = ""
    kb_found: bool = False

    @rx.event
    async def load_kb(self):
        kb_id = self._route_kb_id()
        user = await self.current_user()
        kb = await asyncio.to_thread(_kb_for, user, kb_id) if user and kb_id else None
        self.kb_found = kb is not None
        self.kb_name = kb.name if kb else ""
        self.kb_description = kb.description if kb else ""


def _create_kb(user: User, name: str, description: str, ip: str) -> str:
    return kb_service.create_kb(user, name, description, ip=ip or None).id


class NewKbState(ShellState):
    """The "New knowledge base" dialog on the home page."""

    new_kb_open: bool = False
    new_kb_error: str = ""

    @rx.event
    def new_kb_dialog_changed(self, is_open: bool):
        self.new_kb_open, self.new_kb_error = is_open, ""

    @rx.event
    async def create_kb(self, form_data: dict):
        self.new_kb_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        name = str(form_data.get("name") or "")
        description = str(form_data.get("description") or "")
        ip = self._ip()
        try:
            kb_id = await asyncio.to_thread(_create_kb, user, name, description, ip)
        except (InvalidInput, access.PermissionDenied) as error:
            self.new_kb_error = str(error)
            return None
        self.new_kb_open = False
        return [ShellState.load_sidebar, rx.redirect(f"/kb/{kb_id}")]
