"""The "New draft" dialog: a title, what it is about, a template and the knowledge bases to draft
from; Create makes the draft (services/drafting/draft_creation checks the template and each KB)
and opens it. No KB ticked means every KB the user may read, named under the picker."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.drafting import MAX_BRIEF, MAX_KBS, MAX_TITLE, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import draft_creation, templates
from lumikb_app.state.retrieval.kb_filter import filter_label, toggled
from lumikb_app.state.shell import ShellState
from lumikb_app.state.time_words import plural


@dataclass
class TemplateOption:
    id: str
    name: str
    description: str
    sections: str  # "5 sections"
    scope: str  # "Built in", "Everyone", or the KB's name


def template_option(entry: templates.TemplateEntry) -> TemplateOption:
    """A template as the dialog and the templates page list it."""
    template = entry.template
    scope = "Built in" if template.built_in else entry.kb_name or "Everyone"
    return TemplateOption(
        template.id,
        template.name,
        template.description,
        plural(len(template.sections), "section"),
        scope,
    )


def template_options(user: User) -> list[TemplateOption]:
    """The templates a new draft may start from (archived ones are left out)."""
    return [template_option(entry) for entry in templates.template_entries(user)]


def chosen_kbs(chosen: list[str], readable: list[str]) -> list[str]:
    """The KBs a new draft draws from: the ticked ones, or every readable one when none is."""
    return list(chosen or readable)[:MAX_KBS]


def kbs_in_words(chosen: list[str], names: dict[str, str]) -> str:
    """The KBs a draft will draw from, named, so the default (every readable KB, which limits
    whom it may be shared with) is never a silent choice."""
    used = [names[kb_id] for kb_id in chosen_kbs(chosen, list(names)) if kb_id in names]
    if not used:
        return "You cannot read any knowledge base yet."
    if chosen:
        return "Draws from " + ", ".join(used) + "."
    if len(used) == 1:
        return f"The only knowledge base you can read: {used[0]}."
    return f"All {plural(len(used), 'knowledge base')} you can read: " + ", ".join(used) + "."


class NewDraftState(ShellState):
    new_draft_open: bool = False
    new_draft_error: str = ""
    new_draft_template_id: str = ""
    new_draft_kb_ids: list[str] = []
    template_choices: list[TemplateOption] = []
    new_draft_busy: bool = False

    @rx.event
    async def open_new_draft(self, template_id: str = ""):
        """Open the dialog (from the drafts page, or a template's "Use" with it chosen)."""
        self.new_draft_error, self.new_draft_kb_ids = "", []
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/drafts")
        self.template_choices = await asyncio.to_thread(template_options, user)
        known = [t.id for t in self.template_choices]
        self.new_draft_template_id = (
            template_id if template_id in known else known[0] if known else ""
        )
        self.new_draft_open = True
        return None

    @rx.event
    def new_draft_dialog_changed(self, is_open: bool):
        self.new_draft_open = is_open
        if not is_open:
            self.new_draft_error = ""

    @rx.event
    def set_new_draft_template(self, template_id: str):
        if any(t.id == template_id for t in self.template_choices):
            self.new_draft_template_id = template_id

    @rx.event
    def pick_new_draft_kb(self, kb_id: str, checked: bool):
        if any(kb.id == kb_id for kb in self.kbs):
            self.new_draft_kb_ids = toggled(self.new_draft_kb_ids, kb_id, checked)

    @rx.event
    def pick_all_new_draft_kbs(self, checked: bool):
        if checked:
            self.new_draft_kb_ids = []

    @rx.event
    async def create_new_draft(self, form_data: dict):
        self.new_draft_error = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login?next=/drafts")
        title = str(form_data.get("title") or "")[: MAX_TITLE + 1]
        brief = str(form_data.get("brief") or "")[: MAX_BRIEF + 1]
        kb_ids = chosen_kbs(self.new_draft_kb_ids, [kb.id for kb in self.kbs])
        self.new_draft_busy = True
        try:
            draft = await asyncio.to_thread(
                draft_creation.create_draft,
                user,
                title,
                kb_ids,
                self.new_draft_template_id,
                ip=self._ip() or None,
                brief=brief,
            )
        except (DraftInputError, PermissionDenied) as refused:
            self.new_draft_error = str(refused)
            return None
        finally:
            self.new_draft_busy = False
        self.new_draft_open = False
        return rx.redirect(f"/drafts/{draft.id}")

    @rx.var
    def new_draft_kbs_label(self) -> str:
        return filter_label(self.new_draft_kb_ids, {kb.id: kb.name for kb in self.kbs})

    @rx.var
    def new_draft_kbs_used(self) -> str:
        return kbs_in_words(self.new_draft_kb_ids, {kb.id: kb.name for kb in self.kbs})

    @rx.var
    def chosen_template(self) -> TemplateOption:
        found = [t for t in self.template_choices if t.id == self.new_draft_template_id]
        return found[0] if found else TemplateOption("", "", "", "", "")
