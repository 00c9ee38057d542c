"""The admin users page: list and search accounts, create, (de)activate, roles, unlock, reset links.

Every event validates the session again and makes one call to services/users.py, which checks
that the actor is an administrator. A reset link is shown once and forgotten when its dialog closes.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import users as user_service
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.accounts.passwords import WeakPasswordError
from lumikb_app.state.shell import ShellState

REFUSED = (PermissionDenied, InvalidInput, WeakPasswordError)
MAX_QUERY_LENGTH = 100


@dataclass
class UserRow:
    id: str
    email: str
    name: str
    role: str
    active: bool
    locked: bool
    created: str
    is_self: bool


def _row(user: User, actor_id: str) -> UserRow:
    return UserRow(
        id=user.id,
        email=user.email,
        name=user.display_name,
        role=user.system_role,
        active=user.is_active,
        locked=user_service.is_locked(user),
        created=user.created_at.strftime("%b %d, %Y"),
        is_self=user.id == actor_id,
    )


def _listing(actor: User, query: str) -> tuple[list[UserRow], bool]:
    found = user_service.list_users(actor, query)
    return [_row(u, actor.id) for u in found], user_service.self_registration_enabled()


def _done(message: str) -> rx.event.EventSpec:
    # At the top, so the notice never covers the actions column on the right.
    return rx.toast.success(message, position="top-center")


def _refused(message: str) -> rx.event.EventSpec:
    return rx.toast.error(message, position="top-center")


class AdminUsersState(ShellState):
    users: list[UserRow] = []
    query: str = ""
    loaded: bool = False
    self_registration_on: bool = False
    create_open: bool = False
    create_error: str = ""
    reset_link: str = ""
    reset_email: str = ""

    async def _refresh(self, actor: User) -> None:
        self.users, self.self_registration_on = await asyncio.to_thread(_listing, actor, self.query)

    async def _change(self, change: Callable[[User], object], done: str):
        """Run one service call for the signed-in admin; a toast says how it went."""
        actor = await self.current_admin()
        if actor is None:
            return _refused("Only administrators can do this.")
        try:
            await asyncio.to_thread(change, actor)
        except REFUSED as refused:
            return _refused(str(refused))
        finally:
            await self._refresh(actor)
        return _done(done)

    @rx.event
    async def load_users(self):
        """on_load: the first page of users and the self-registration setting (admins only)."""
        self.create_open, self.create_error, self.reset_link, self.reset_email = False, "", "", ""
        actor = await self.current_admin()
        if actor is None:
            self.users, self.loaded = [], True
            return
        await self._refresh(actor)
        self.loaded = True

    @rx.event
    async def search(self, value: str):
        self.query = value[:MAX_QUERY_LENGTH]
        actor = await self.current_admin()
        if actor is not None:
            await self._refresh(actor)

    @rx.event
    async def set_active(self, user_id: str, active: bool):
        ip = self._ip()
        return await self._change(
            lambda actor: user_service.set_active(actor, user_id, active, ip=ip),
            "Account reactivated." if active else "Account deactivated; its sessions are revoked.",
        )

    @rx.event
    async def set_role(self, user_id: str, role: str):
        ip = self._ip()
        return await self._change(
            lambda actor: user_service.set_role(actor, user_id, SystemRole(role), ip=ip),
            "Role changed to administrator." if role == "admin" else "Role changed to member.",
        )

    @rx.event
    async def unlock(self, user_id: str):
        ip = self._ip()
        return await self._change(
            lambda actor: user_service.unlock(actor, user_id, ip=ip), "Account unlocked."
        )

    @rx.event
    async def create_reset_link(self, user_id: str, email: str):
        actor = await self.current_admin()
        if actor is None:
            return _refused("Only administrators can do this.")
        base_url, ip = self.router.url.origin, self._ip()
        try:
            link = await asyncio.to_thread(
                user_service.create_reset_link, actor, user_id, base_url, ip=ip
            )
        except REFUSED as refused:
            return _refused(str(refused))
        self.reset_link, self.reset_email = link, email
        return None

    @rx.event
    def reset_dialog_changed(self, is_open: bool):
        if not is_open:
            self.reset_link, self.reset_email = "", ""

    @rx.event
    def create_dialog_changed(self, is_open: bool):
        self.create_open, self.create_error = is_open, ""

    @rx.event
    async def create_user(self, form: dict):
        actor = await self.current_admin()
        if actor is None:
            self.create_error = "Only administrators can create users."
            return None
        fields = {name: str(form.get(name) or "") for name in ("email", "name", "password")}
        role = SystemRole.admin if form.get("role") == "admin" else SystemRole.member
        ip = self._ip()
        try:
            created = await asyncio.to_thread(
                user_service.admin_create_user,
                actor,
                email=fields["email"],
                display_name=fields["name"],
                password=fields["password"],
                role=role,
                ip=ip,
            )
        except REFUSED as refused:
            self.create_error = str(refused)
            return None
        self.create_open, self.create_error = False, ""
        await self._refresh(actor)
        return _done(f"Created {created.email}.")

    @rx.event
    async def toggle_self_registration(self, enabled: bool):
        ip = self._ip()
        return await self._change(
            lambda actor: user_service.set_self_registration(actor, enabled, ip=ip),
            "Self-registration is on." if enabled else "Self-registration is off.",
        )

    @rx.var
    def user_count_label(self) -> str:
        count = len(self.users)
        return f"{count} user" + ("" if count == 1 else "s")
