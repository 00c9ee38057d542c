"""Built-in templates are stored once by key; a changed definition (a new release) gives the
stored template a new version instead of a second copy."""

from __future__ import annotations

import dataclasses

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, DraftTemplate, DraftTemplateVersion
from lumikb_app.services.drafting import built_in_templates, templates


def _stored(session) -> dict[str, DraftTemplate]:
    rows = session.exec(select(DraftTemplate).where(col(DraftTemplate.built_in))).all()
    return {row.key: row for row in rows}


def test_seeding_twice_stores_each_built_in_once_and_a_changed_one_gets_version_2(
    migrated, monkeypatch
):
    with get_container().db.session() as session:
        assert templates.ensure_built_in_templates(session) == 5
        session.commit()
        assert templates.ensure_built_in_templates(session) == 0
        assert {k: t.version for k, t in _stored(session).items()} == {
            t.key: 1 for t in built_in_templates.BUILT_IN_TEMPLATES
        }

    first, *rest = built_in_templates.BUILT_IN_TEMPLATES
    changed = dataclasses.replace(first, sections=(*first.sections, ("Appendix", "Any extra.")))
    monkeypatch.setattr(templates, "BUILT_IN_TEMPLATES", (changed, *rest))
    templates.seed_built_in_templates()
    templates.seed_built_in_templates()
    with get_container().db.session() as session:
        rfp = _stored(session)["rfp_response"]
        assert rfp.version == 2 and rfp.sections[-1]["title"] == "Appendix"
        versions = session.exec(
            select(DraftTemplateVersion.version).where(DraftTemplateVersion.template_id == rfp.id)
        ).all()
        assert sorted(versions) == [1, 2]
        assert len(_stored(session)) == 5
        events = session.exec(select(AuditEvent)).all()  # the first seeding is not audited
        assert [(e.action, e.actor_id, e.target) for e in events] == [
            ("draft.template_update", None, rfp.id)
        ]
        assert events[0].details["changed"] == ["sections"]
