"""A new draft from a template: one empty section per template section, each keeping its
instruction, the template's answer length and tone, and the version it was made from."""

from __future__ import annotations

from collections.abc import Sequence

from lumikb_app.db.tables import Draft, User
from lumikb_app.domain.drafting import SectionSeed, SourceKind
from lumikb_app.services.accounts import access
from lumikb_app.services.drafting import drafts, templates
from lumikb_app.services.platform.transactions import transaction


def create_draft(
    user: User, title: str, kb_ids: Sequence[str], template_id: str, ip: str | None = None
) -> Draft:
    """A draft owned by the user, drawing from KBs they may read, from a template they may
    use; audited (draft.create)."""
    access.require_active(user)
    templates.seed_built_in_templates()
    with transaction() as session:
        template = templates.usable_template(session, user, template_id)
        seeds = [
            SectionSeed(title=section["title"], instruction=section.get("instruction", ""))
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
        )
