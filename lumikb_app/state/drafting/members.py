"""The draft page's members panel: who may view or edit the draft; its owner shares it by
email (view or edit) and removes members. services/drafting/members checks that the caller owns
the draft and that the person may read every KB it draws from."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import DraftInputError, DraftRole
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import draft_summaries, members
from lumikb_app.state.drafting.panel_base import route_draft_id
from lumikb_app.state.shell import ShellState

ROLE_LABELS = {"owner": "Owner", "edit": "Can edit", "view": "Can view"}
SHARE_ROLES = tuple(role.value for role in DraftRole)
MAX_EMAIL = 320
Refused = (DraftInputError, PermissionDenied)


@dataclass
class MemberRow:
    user_id: str
    name: str
    email: str
    role: str
    role_label: str
    is_owner: bool


def _member_rows(user: User, draft_id: str) -> tuple[bool, list[MemberRow]]:
    """Whether the caller owns the draft, and its people (owner first)."""
    outline = draft_summaries.draft_outline(user, draft_id)
    rows = [
        MemberRow(m.user_id, m.display_name, m.email, m.role, ROLE_LABELS.get(m.role, m.role),
                  m.role == "owner")
        for m in members.list_members(user, draft_id)
    ]  # fmt: skip
    return outline.role == "owner", rows


class MembersState(ShellState):
    member_rows: list[MemberRow] = []
    members_of: str = ""  # the draft whose members are shown
    members_owner: bool = False  # the caller owns it: may share and remove
    share_role: str = DraftRole.view.value
    members_error: str = ""
    members_notice: str = ""

    async def _reload(self, user: User) -> bool:
        try:
            owner, rows = await asyncio.to_thread(_member_rows, user, self.members_of)
        except Refused as refused:
            self.member_rows, self.members_owner, self.members_error = [], False, str(refused)
            return False
        self.member_rows, self.members_owner = rows, owner
        return True

    @rx.event
    async def load_members(self):
        """On the draft page's load (or when the panel opens): the draft's people."""
        self.members_of = route_draft_id(self)
        self.members_error = self.members_notice = ""
        user = await self.current_user()
        if user is not None and self.members_of:
            await self._reload(user)

    @rx.event
    def set_share_role(self, role: str):
        if role in SHARE_ROLES:
            self.share_role = role

    @rx.event
    async def share(self, form_data: dict):
        self.members_error = self.members_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        email = str(form_data.get("email") or "").strip()[:MAX_EMAIL]
        try:
            await asyncio.to_thread(
                members.share_draft, user, self.members_of, email, self.share_role,
                ip=self._ip() or None,
            )  # fmt: skip
        except Refused as refused:
            self.members_error = str(refused)
            return None
        label = ROLE_LABELS[self.share_role].lower()
        self.members_notice = f"Shared with {email}: they {label}."
        await self._reload(user)
        return None

    @rx.event
    async def change_member_role(self, member_user_id: str, role: str):
        """Sharing again with another role changes it (services/drafting/members)."""
        self.members_error = self.members_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        member = next((m for m in self.member_rows if m.user_id == member_user_id), None)
        if member is None or member.is_owner:
            return None
        try:
            await asyncio.to_thread(
                members.share_draft, user, self.members_of, member.email, role,
                ip=self._ip() or None,
            )  # fmt: skip
        except Refused as refused:
            self.members_error = str(refused)
            return None
        self.members_notice = f"{member.name} now {ROLE_LABELS.get(role, role).lower()}."
        await self._reload(user)
        return None

    @rx.event
    async def unshare(self, member_user_id: str):
        self.members_error = self.members_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        gone = next((m for m in self.member_rows if m.user_id == member_user_id), None)
        try:
            await asyncio.to_thread(
                members.unshare_draft, user, self.members_of, member_user_id,
                ip=self._ip() or None,
            )  # fmt: skip
        except Refused as refused:
            self.members_error = str(refused)
            return None
        self.members_notice = f"Removed {gone.email if gone else 'the member'}."
        await self._reload(user)
        return None

    @rx.var
    def member_count_label(self) -> str:
        count = len(self.member_rows)
        return "1 person" if count == 1 else f"{count} people"
