"""A new draft from a template: one empty section per template section, each keeping its
instruction, the template's answer length and tone, and the version it was made from."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from lumikb_app.db.tables import Draft, DraftTemplate, KnowledgeBase, User
from lumikb_app.domain.drafting import DraftInputError, SectionSeed, SourceKind
from lumikb_app.services.accounts import access
from lumikb_app.services.drafting import drafts, templates
from lumikb_app.services.platform.transactions import transaction


def create_draft(
    user: User,
    title: str,
    kb_ids: Sequence[str],
    template_id: str,
    ip: str | None = None,
    brief: str = "",
) -> Draft:
    """A draft owned by the user, drawing from KBs they may read, from a template they may
    use; audited (draft.create). `brief` says what it is about (the title when empty): each
    section's generic heading ("Risks") is searched and written about it. A KB's own template makes drafts that draw from that KB, so
    everyone the draft is shared with may read the KB the template came from."""
    access.require_active(user)
    templates.seed_built_in_templates()
    with transaction() as session:
        template = templates.usable_template(session, user, template_id)
        _require_template_kb(session, template, kb_ids)
        seeds = [
            SectionSeed(title=section["title"], instruction=section.get("instruction") or "")
            for section in template.sections
        ]
        return drafts.new_draft(
            session,
            user,
            title=title,
            kb_ids=kb_ids,
            seeds=seeds,
            template=template,
            source_kind=SourceKind.template,
            ip=ip,
            brief=brief,
        )


def _require_template_kb(session: Session, template: DraftTemplate, kb_ids: object) -> None:
    if template.kb_id is None or not isinstance(kb_ids, Sequence) or isinstance(kb_ids, str):
        return  # a malformed list is refused by new_draft with its own message
    if template.kb_id not in kb_ids:
        kb = session.get_one(KnowledgeBase, template.kb_id)
        raise DraftInputError(
            f"The template {template.name} belongs to the knowledge base {kb.name}: "
            f"a draft made from it must draw from {kb.name} too."
        )
