"""KB settings: name and description, and the members panel (grants). The services check access.

Only a KB ADMIN (or a system admin) gets past `load_settings`. A member with a lower role is
told that the page needs the ADMIN role; anyone else sees the same "not found or no access"
answer as for a missing KB (so ids cannot be probed). Every service call checks again.
"""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import ModelKind
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.knowledge_bases import kbs as kb_service
from lumikb_app.services.knowledge_bases.settings_messages import InvalidSettings
from lumikb_app.services.models import choices as model_choices
from lumikb_app.state.shell import ShellState

ROLE_NAMES = tuple(role.name for role in KbRole)  # READ, WRITE, ADMIN
REFUSED = (InvalidInput, PermissionDenied)
ANSWER_PRESETS = ("concise", "balanced", "detailed")
MAX_SETTING_CHARS = 200  # longer than any valid value; the service says what is wrong
REGISTRY_DEFAULT = "registry-default"  # the chat select's item for "" (no model of the KB's own)
# The search-and-indexing form fields, in KbSettings order; kept as text until saved.
SETTING_FIELDS = (
    "chunk_tokens",
    "chunk_overlap",
    "embedding_model",
    "top_k",
    "similarity_threshold",
    "answer_preset",
    "chat_model",
)


@dataclass
class MemberRow:
    user_id: str
    email: str
    display_name: str
    role: str
    is_you: bool


@dataclass
class ModelOption:
    value: str
    label: str


@dataclass
class KbDetails:
    name: str
    description: str
    members: list[MemberRow]
    settings: dict[str, str]
    archived: bool
    chat_models: list[ModelOption]
    embedding_models: list[ModelOption]


def _settings_text(settings: KbSettings) -> dict[str, str]:
    text = {name: str(getattr(settings, name)) for name in SETTING_FIELDS}
    text["chat_model"] = text["chat_model"] or REGISTRY_DEFAULT  # a select item cannot be ""
    return text


def _model_options(user: User, kind: ModelKind, current: str) -> list[ModelOption]:
    """The registry's live models of a kind (what the service accepts), and the KB's current one
    even if it was retired meanwhile, so the select shows what is stored."""
    found = model_choices.choices(user, kind)
    options = [ModelOption(c.id, c.name + (" (default)" if c.is_default else "")) for c in found]
    if kind is ModelKind.chat:
        default = next((c.name for c in found if c.is_default), "none: answers quote sources")
        options.insert(0, ModelOption(REGISTRY_DEFAULT, f"The registry's default ({default})"))
    if current not in {option.value for option in options}:
        options.append(ModelOption(current, "The current model (retired)"))
    return options


def _role(name: str) -> KbRole:
    if name not in ROLE_NAMES:
        raise InvalidInput("Choose a role: READ, WRITE or ADMIN.")
    return KbRole[name]


def _page(user: User, kb_id: str) -> tuple[KbDetails | None, str]:
    """The page of a KB admin; else None and the role the user has on the KB, if any ("" when
    none, or the KB is missing: the two look the same)."""
    details = _details(user, kb_id)
    if details is not None:
        return details, ""
    role = kb_service.my_role(user, kb_id)
    return None, (role.name if role is not None and role < KbRole.ADMIN else "")


def _details(user: User, kb_id: str) -> KbDetails | None:
    """The KB and its members, or None when the user may not administer it (or it is missing)."""
    try:
        members = grants.list_members(user, kb_id)
        kb = kb_service.get_kb(user, kb_id)
        settings = kb_config.get_settings(user, kb_id)
    except PermissionDenied:
        return None
    rows = [
        MemberRow(m.user_id, m.email, m.display_name, m.role.name, m.user_id == user.id)
        for m in members
    ]
    text = _settings_text(settings)
    return KbDetails(
        kb.name, kb.description, rows, text, kb.archived_at is not None,
        _model_options(user, ModelKind.chat, text["chat_model"]),
        _model_options(user, ModelKind.embedding, text["embedding_model"]),
    )  # fmt: skip


def _save_settings(user: User, kb_id: str, values: dict[str, str], ip: str) -> tuple[dict, int]:
    """Save; return the stored settings as text and how many documents are re-indexed (-1: none)."""
    if values.get("chat_model") == REGISTRY_DEFAULT:
        values = {**values, "chat_model": ""}
    saved, reindex = kb_config.update_settings(user, kb_id, values, ip=ip)
    return _settings_text(saved), (kb_config.ready_documents(user, kb_id) if reindex else -1)


def _set_grant(user: User, kb_id: str, email: str, role: str, ip: str) -> str:
    return grants.set_grant(user, kb_id, email, _role(role), ip=ip).email


def _can_manage(user: User, kb_id: str) -> bool:
    return kb_service.my_role(user, kb_id) == KbRole.ADMIN


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
    # A member below ADMIN: their role ("READ", "WRITE"), to say the page needs ADMIN.
    refused_role: str = ""
    refused_kb_id: str = ""
    kb_name: str = ""
    name_input: str = ""
    description_input: str = ""
    members: list[MemberRow] = []
    details_error: str = ""
    details_notice: str = ""
    members_error: str = ""
    members_notice: str = ""
    add_role: str = "READ"
    settings_form: dict[str, str] = {}
    chat_models: list[ModelOption] = []
    embedding_models: list[ModelOption] = []
    settings_error: str = ""
    settings_notice: str = ""
    # Each refused setting's sentence, next to its field ("" for a field that is fine).
    field_errors: dict[str, str] = dict.fromkeys(SETTING_FIELDS, "")
    kb_archived: bool = False
    archive_open: bool = False
    danger_error: str = ""
    danger_notice: str = ""
    delete_open: bool = False
    delete_confirm: str = ""

    def _clear_messages(self) -> None:
        self.details_error = self.details_notice = ""
        self.members_error = self.members_notice = ""
        self.settings_error = self.settings_notice = ""
        self.field_errors = dict.fromkeys(SETTING_FIELDS, "")
        self.danger_error = self.danger_notice = ""

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
        details, refused = (
            await asyncio.to_thread(_page, user, self._route_kb_id()) if user else (None, "")
        )
        self.kb_found = details is not None
        self.refused_role = refused
        self.refused_kb_id = self._route_kb_id() if refused else ""
        self.settings_kb_id = self._route_kb_id() if details else ""
        self.kb_name = details.name if details else ""
        self.name_input = details.name if details else ""
        self.description_input = details.description if details else ""
        self.members = details.members if details else []
        self.settings_form = details.settings if details else {}
        self.chat_models = details.chat_models if details else []
        self.embedding_models = details.embedding_models if details else []
        self.kb_archived = details.archived if details else False
        self.delete_open, self.delete_confirm, self.archive_open = False, "", False

    @rx.event
    def set_setting(self, name: str, value: str):
        if name in SETTING_FIELDS and isinstance(value, str):
            self.settings_form = {**self.settings_form, name: value[:MAX_SETTING_CHARS]}

    @rx.event
    async def save_settings(self, form_data: dict):
        """Submit of the search-and-indexing form (controlled inputs; form_data is not needed)."""
        self._clear_messages()
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        values = {name: self.settings_form.get(name, "").strip() for name in SETTING_FIELDS}
        try:
            saved, reindexed = await asyncio.to_thread(
                _save_settings, user, self._route_kb_id(), values, self._ip()
            )
        except InvalidSettings as refused:
            self.field_errors = {**dict.fromkeys(SETTING_FIELDS, ""), **refused.fields}
            shown = set(refused.fields) & set(SETTING_FIELDS)
            self.settings_error = (
                "Not saved: correct the " + ("field" if len(shown) == 1 else "fields") + " below."
                if shown == set(refused.fields)
                else str(refused)
            )
            return None
        except REFUSED as error:
            self.settings_error = str(error)
            return None
        self.settings_form = saved
        if reindexed < 0:
            self.settings_notice = "Saved."
        else:
            count = (
                "every document"
                if reindexed == 0
                else (f"{reindexed} document" + ("" if reindexed == 1 else "s"))
            )
            self.settings_notice = (
                f"Saved. Re-indexing {count} in the background; search keeps using the "
                "current index until each is ready."
            )
        return None

    @rx.event
    def archive_dialog_changed(self, is_open: bool):
        self.archive_open = is_open

    @rx.event
    async def toggle_archived(self):
        """Archive (the button asks for a confirmation first) or restore this KB."""
        self._clear_messages()
        self.archive_open = False
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        archive = not self.kb_archived
        try:
            await asyncio.to_thread(
                kb_service.set_archived, user, self._route_kb_id(), archive, self._ip()
            )
        except REFUSED as error:
            self.danger_error = str(error)
            return None
        self.kb_archived = archive
        self.danger_notice = (
            "Archived: it is hidden from listings and search until restored."
            if archive
            else "Restored: it is back in listings and search."
        )
        return ShellState.load_sidebar

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        self.delete_open, self.delete_confirm = is_open, ""

    @rx.event
    def set_delete_confirm(self, value: str):
        self.delete_confirm = value

    @rx.event
    async def delete_kb(self):
        self._clear_messages()
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        if self.delete_confirm.strip() != self.kb_name:
            self.danger_error = "Type the knowledge base name to confirm."
            return None
        try:
            await asyncio.to_thread(kb_service.delete_kb, user, self._route_kb_id(), ip=self._ip())
        except REFUSED as error:
            self.delete_open = False
            self.danger_error = str(error)
            return None
        self.delete_open, self.delete_confirm, self.kb_found = False, "", False
        return [ShellState.load_sidebar, rx.redirect("/")]

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
                kb_service.update_kb,
                user,
                self._route_kb_id(),
                name=self.name_input,
                description=self.description_input,
                ip=self._ip(),
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
            await asyncio.to_thread(
                grants.remove_grant, user, self._route_kb_id(), user_id, self._ip()
            )
        except REFUSED as error:
            self.members_error = str(error)
        else:
            self.members_notice = f"{removed} no longer has access."
        await self._reload(user)
        return ShellState.load_sidebar if user_id == user.id else None
