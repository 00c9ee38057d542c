"""The templates page: every template the user may use (built-in ones read-only, with their
sections), and for KB admins and system admins the editor of custom ones (sections with their
instructions, answer length, tone), archive and restore, and each template's versions.
services/drafting/templates checks who may do what, and every field, again."""

import asyncio
import dataclasses
import functools

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import (
    MAX_INSTRUCTION,
    MAX_TEMPLATE_DESCRIPTION,
    MAX_TEMPLATE_NAME,
    MAX_TEMPLATE_SECTION_TITLE,
    MAX_TEMPLATE_SECTIONS,
    AnswerLength,
    DraftInputError,
    Tone,
)
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import templates
from lumikb_app.state.drafting.template_cards import (
    EVERYONE,
    ScopeOption,
    SectionDraft,
    TemplateCard,
    TemplateVersionRow,
    editor_sections,
    new_key,
    template_card,
    version_row,
)
from lumikb_app.state.shell import ShellState

LOGIN = "/login?next=/drafts/templates"
SECTION_LIMITS = {"title": MAX_TEMPLATE_SECTION_TITLE, "instruction": MAX_INSTRUCTION}
LENGTHS = tuple(length.value for length in AnswerLength)
TONES = tuple(tone.value for tone in Tone)
Refused = (DraftInputError, PermissionDenied)


def _page(user: User) -> tuple[list[TemplateCard], list[ScopeOption]]:
    cards = [template_card(e) for e in templates.template_entries(user, include_archived=True)]
    scopes = [ScopeOption(s.kb_id or EVERYONE, s.label) for s in templates.template_scopes(user)]
    return cards, scopes


class TemplatesState(ShellState):
    template_cards: list[TemplateCard] = []
    template_scopes: list[ScopeOption] = []
    templates_loaded: bool = False
    templates_error: str = ""
    templates_notice: str = ""

    # The editor (a dialog): a new template when editor_template_id is "".
    editor_open: bool = False
    editor_template_id: str = ""
    editor_version: int = 0
    editor_name: str = ""
    editor_description: str = ""
    editor_scope: str = ""
    editor_length: str = AnswerLength.medium.value
    editor_tone: str = Tone.neutral.value
    editor_sections: list[SectionDraft] = []
    editor_error: str = ""
    editor_busy: bool = False

    archive_template_id: str = ""
    archive_template_name: str = ""

    versions_open: bool = False
    versions_title: str = ""
    version_rows: list[TemplateVersionRow] = []

    async def _reload(self, user: User) -> None:
        self.template_cards, self.template_scopes = await asyncio.to_thread(_page, user)
        self.templates_loaded = True

    def _card(self, template_id: str) -> TemplateCard | None:
        return next((c for c in self.template_cards if c.id == template_id), None)

    @rx.event
    async def load_templates(self):
        """on_load of /drafts/templates, after check_session."""
        self.templates_error = self.templates_notice = ""
        self.editor_open = self.versions_open = False
        self.archive_template_id = ""
        user = await self.current_user()
        if user is not None:
            await self._reload(user)

    # -- the editor --------------------------------------------------------------------------

    @rx.event
    def new_template(self):
        if not self.template_scopes:
            return
        self._open_editor("", 0, "", "", self.template_scopes[0].value, "medium", "neutral")
        self.editor_sections = [SectionDraft(new_key())]

    @rx.event
    def copy_template(self, template_id: str):
        """A new template starting from another's sections (a built-in one, say)."""
        card = self._card(template_id)
        if card is None or not self.template_scopes:
            return
        scope = self.template_scopes[0].value
        name = f"{card.name} (copy)"
        self._open_editor("", 0, name, card.description, scope, card.answer_length, card.tone)
        self.editor_sections = editor_sections(card)

    @rx.event
    def edit_template(self, template_id: str):
        card = self._card(template_id)
        if card is None or not card.can_manage:
            return
        self._open_editor(
            card.id, card.version, card.name, card.description, "", card.answer_length, card.tone
        )
        self.editor_sections = editor_sections(card)

    def _open_editor(
        self, template_id: str, version: int, name: str, description: str, *choices: str
    ) -> None:
        scope, length, tone = choices
        self.editor_template_id, self.editor_version = template_id, version
        self.editor_name, self.editor_description = name, description
        self.editor_scope, self.editor_length, self.editor_tone = scope, length, tone
        self.editor_error, self.editor_open = "", True

    @rx.event
    def editor_dialog_changed(self, is_open: bool):
        self.editor_open = is_open
        if not is_open:
            self.editor_error = ""

    @rx.event
    def set_editor_name(self, value: str):
        self.editor_name = value[: MAX_TEMPLATE_NAME + 1]

    @rx.event
    def set_editor_description(self, value: str):
        self.editor_description = value[: MAX_TEMPLATE_DESCRIPTION + 1]

    @rx.event
    def set_editor_scope(self, value: str):
        if any(scope.value == value for scope in self.template_scopes):
            self.editor_scope = value

    @rx.event
    def set_editor_length(self, value: str):
        if value in LENGTHS:
            self.editor_length = value

    @rx.event
    def set_editor_tone(self, value: str):
        if value in TONES:
            self.editor_tone = value

    @rx.event
    def add_editor_section(self):
        if len(self.editor_sections) < MAX_TEMPLATE_SECTIONS:
            self.editor_sections = [*self.editor_sections, SectionDraft(new_key())]

    @rx.event
    def remove_editor_section(self, key: str):
        self.editor_sections = [s for s in self.editor_sections if s.key != key]

    @rx.event
    def move_editor_section(self, key: str, up: bool):
        sections = list(self.editor_sections)
        at = next((n for n, s in enumerate(sections) if s.key == key), None)
        to = None if at is None else at - 1 if up else at + 1
        if at is not None and to is not None and 0 <= to < len(sections):
            sections[at], sections[to] = sections[to], sections[at]
            self.editor_sections = sections

    @rx.event
    def set_editor_section(self, key: str, field: str, value: str):
        """A section's title or instruction, sent when its box loses focus."""
        limit = SECTION_LIMITS.get(field)
        if limit is None:
            return
        self.editor_sections = [
            dataclasses.replace(s, **{field: value[: limit + 1]}) if s.key == key else s
            for s in self.editor_sections
        ]

    @rx.event
    async def save_template(self):
        self.editor_error = self.templates_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect(LOGIN)
        self.editor_busy = True
        try:
            saved = await asyncio.to_thread(self._save_call(user))
        except Refused as refused:
            self.editor_error = str(refused)
            return None
        finally:
            self.editor_busy = False
        self.editor_open = False
        self.templates_notice = f"Saved {saved.name} (version {saved.version})."
        await self._reload(user)
        return None

    def _save_call(self, user: User) -> functools.partial:
        """The service call that saves the editor's template (run on a worker thread)."""
        sections = [{"title": s.title, "instruction": s.instruction} for s in self.editor_sections]
        fields = {
            "name": self.editor_name,
            "description": self.editor_description,
            "sections": sections,
            "answer_length": self.editor_length,
            "tone": self.editor_tone,
            "ip": self._ip() or None,
        }
        if self.editor_template_id:
            return functools.partial(
                templates.update_template,
                user,
                self.editor_template_id,
                base_version=self.editor_version,
                **fields,
            )
        kb_id = None if self.editor_scope == EVERYONE else self.editor_scope
        return functools.partial(templates.create_template, user, kb_id=kb_id, **fields)

    # -- archive, restore, versions -----------------------------------------------------------

    @rx.event
    def ask_archive_template(self, template_id: str):
        card = self._card(template_id)
        if card is not None and card.can_manage:
            self.archive_template_id, self.archive_template_name = card.id, card.name

    @rx.event
    def archive_dialog_changed(self, is_open: bool):
        if not is_open:
            self.archive_template_id = ""

    @rx.event
    async def confirm_archive_template(self, template_id: str):
        self.archive_template_id = ""
        return await self._set_archived(template_id, True)

    @rx.event
    async def restore_template(self, template_id: str):
        return await self._set_archived(template_id, False)

    async def _set_archived(self, template_id: str, archived: bool):
        self.templates_error = self.templates_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect(LOGIN)
        change = templates.archive_template if archived else templates.restore_template
        try:
            template = await asyncio.to_thread(change, user, template_id, self._ip() or None)
        except Refused as refused:
            self.templates_error = str(refused)
            return None
        verb = "Archived" if archived else "Restored"
        self.templates_notice = f"{verb} {template.name}."
        await self._reload(user)
        return None

    @rx.event
    async def show_versions(self, template_id: str):
        self.templates_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect(LOGIN)
        try:
            views = await asyncio.to_thread(templates.template_versions, user, template_id)
        except Refused as refused:
            self.templates_error = str(refused)
            return None
        card = self._card(template_id)
        self.versions_title = card.name if card else "Template"
        self.version_rows = [version_row(view) for view in views]
        self.versions_open = True
        return None

    @rx.event
    def versions_dialog_changed(self, is_open: bool):
        self.versions_open = is_open

    # -- what the page shows -----------------------------------------------------------------

    @rx.var
    def may_add_templates(self) -> bool:
        return len(self.template_scopes) > 0

    @rx.var
    def built_in_cards(self) -> list[TemplateCard]:
        return [card for card in self.template_cards if card.built_in]

    @rx.var
    def custom_cards(self) -> list[TemplateCard]:
        return [card for card in self.template_cards if not card.built_in]

    @rx.var
    def editor_title(self) -> str:
        return "Edit template" if self.editor_template_id else "New template"

    @rx.var
    def editor_section_count(self) -> int:
        return len(self.editor_sections)
