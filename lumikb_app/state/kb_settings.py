"""KB settings: name and description, and the members panel (grants). The services check access.

Only a KB ADMIN (or a system admin) gets past `load_settings`; anyone else sees the same
"not found or no access" answer as for a missing KB, and every service call checks again.
"""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services import grants
from lumikb_app.services import kbs as kb_service
from lumikb_app.services.access import PermissionDenied
from lumikb_app.services.auth import InvalidInput
from lumikb_app.services.tx import transaction
from lumikb_app.state.shell import ShellState

ROLE_NAMES = tuple(role.name for role in KbRole)  # READ, WRITE, ADMIN
REFUSED = (InvalidInput, PermissionDenied)


@dataclass
class MemberRow:
    user_id: str
    email: str
    display_name: str
    role: str
    is_you: bool


@dataclass
class KbDetails:
    name: str
    description: str
    members: list[MemberRow]


def _role(name: str) -> KbRole:
    if name not in ROLE_NAMES:
        raise InvalidInput("Choose a role: READ, WRITE or ADMIN.")
    return KbRole[name]


def _details(user: User, kb_id: str) -> KbDetails | None:
    """The KB and its members, or None when the user may not administer it (or it is missing)."""
    with get_container().db.session() as session:
        try:
            members = grants.list_members(session, user, kb_id)
            kb = kb_service.get_kb(session, user, kb_id)
        except PermissionDenied:
            return None
        rows = [
            MemberRow(m.user_id, m.email, m.display_name, m.role.name, m.user_id == user.id)
            for m in members
        ]
        return KbDetails(kb.name, kb.description, rows)


def _save_details(user: User, kb_id: str, name: str, description: str, ip: str) -> None:
    with transaction() as session:
        kb_service.update_kb(session, user, kb_id, name=name, description=description, ip=ip)


def _set_grant(user: User, kb_id: str, email: str, role: str, ip: str) -> str:
    with transaction() as session:
        return grants.set_grant(session, user, kb_id, email, _role(role), ip=ip).email


def _remove_grant(user: User, kb_id: str, user_id: str, ip: str) -> None:
    with transaction() as session:
        grants.remove_grant(session, user, kb_id, user_id, ip=ip)


def _can_manage(user: User, kb_id: str) -> bool:
    with get_container().db.session() as session:
        return kb_service.my_role(session, user, kb_id) == KbRole.ADMIN


class KbManageLinkState(ShellState):
    """Whether the KB page shows its "Settings" link (the settings page checks again)."""

    can_manage: bool = False
    manage_kb_id: str = ""

    @rx.event
    async def load_can_manage(self):
        self.can_manage = False
        self.manage_kb_id = kb_id = self._route_kb_id()
        user = await self.current_user()
        if user and kb_id:
            self.can_manage = await asyncio.to_thread(_can_manage, user, kb_id)


class KbSettingsState(ShellState):
    kb_found: bool = False
    settings_kb_id: str = ""
    kb_name: str = ""
    name_input: str = ""
    description_input: str = ""
    members: list[MemberRow] = []
    details_error: str = ""
    details_notice: str = ""
    members_error: str = ""
    members_notice: str = ""
    add_role: str = "READ"

    def _clear_messages(self) -> None:
        self.details_error = self.details_notice = ""
        self.members_error = self.members_notice = ""

    def _ip(self) -> str:
        return self.router.session.client_ip or ""

    async def _reload(self, user: User) -> None:
        details = await asyncio.to_thread(_details, user, self._route_kb_id())
        self.kb_found = details is not None
        self.kb_name = details.name if details else ""
        self.members = details.members if details else []

    @rx.event
    async def load_settings(self):
        """on_load after check_session: the KB's details and members, for a KB ADMIN only."""
        self._clear_messages()
        self.add_role = "READ"
        user = await self.current_user()
        details = await asyncio.to_thread(_details, user, self._route_kb_id()) if user else None
        self.kb_found = details is not None
        self.settings_kb_id = self._route_kb_id() if details else ""
        self.kb_name = details.name if details else ""
        self.name_input = details.name if details else ""
        self.description_input = details.description if details else ""
        self.members = details.members if details else []

    @rx.event
    def set_name_input(self, value: str):
        self.name_input = value

    @rx.event
    def set_description_input(self, value: str):
        self.description_input = value

    @rx.event
    def set_add_role(self, value: str):
        self.add_role = value

    @rx.event
    async def save_details(self, form_data: dict):
        """Submit of the details form (its inputs are controlled, so form_data is not needed)."""
        self._clear_messages()
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            await asyncio.to_thread(
                _save_details,
                user,
                self._route_kb_id(),
                self.name_input,
                self.description_input,
                self._ip(),
            )
        except REFUSED as error:
            self.details_error = str(error)
            return None
        await self._reload(user)
        self.name_input = self.kb_name
        self.details_notice = "Saved."
        return ShellState.load_sidebar  # the sidebar shows the new name

    @rx.event
    async def add_member(self, form_data: dict):
        self._clear_messages()
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        email = str(form_data.get("email", ""))
        try:
            added = await asyncio.to_thread(
                _set_grant, user, self._route_kb_id(), email, self.add_role, self._ip()
            )
        except REFUSED as error:
            self.members_error = str(error)
            return None
        await self._reload(user)
        self.members_notice = f"{added} now has {self.add_role} access."
        return rx.set_value("add-member-email", "")

    @rx.event
    async def change_role(self, email: str, role: str):
        self._clear_messages()
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            await asyncio.to_thread(_set_grant, user, self._route_kb_id(), email, role, self._ip())
        except REFUSED as error:
            self.members_error = str(error)
        else:
            self.members_notice = f"{email} now has {role} access."
        await self._reload(user)  # also puts a refused select back to the stored role
        return None

    @rx.event
    async def remove_member(self, user_id: str):
        self._clear_messages()
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        removed = next((m.email for m in self.members if m.user_id == user_id), "The member")
        try:
            await asyncio.to_thread(_remove_grant, user, self._route_kb_id(), user_id, self._ip())
        except REFUSED as error:
            self.members_error = str(error)
        else:
            self.members_notice = f"{removed} no longer has access."
        await self._reload(user)
        return ShellState.load_sidebar if user_id == user.id else None
