"""Draft templates: the built-in ones, and custom ones a KB admin (for the KB's readers) or a
system admin (for everyone) defines. Every saved state is a DraftTemplateVersion row; every
change is audited (draft.template_create, draft.template_update, draft.template_archive,
draft.template_restore)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import DraftTemplate, DraftTemplateVersion, KnowledgeBase, User
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts import access, audit
from lumikb_app.services.drafting import template_access
from lumikb_app.services.drafting.built_in_templates import BUILT_IN_TEMPLATES, BuiltInTemplate
from lumikb_app.services.drafting.template_rules import (
    TemplateFields,
    clean_kb_id,
    template_fields,
)
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_TEMPLATES_PER_SCOPE = 200  # per KB, and for everyone
SAVED_MEANWHILE = (
    "Someone saved a newer version of this template while you were editing it; reload to see "
    "it, then make your change again."
)
_BUILT_IN_ORDER = {t.key: n for n, t in enumerate(BUILT_IN_TEMPLATES)}


@dataclass(frozen=True)
class TemplateEntry:
    """A template as the templates page lists it: the KB it belongs to (None: everyone) and
    whether the caller may change it."""

    template: DraftTemplate
    kb_name: str | None
    can_manage: bool


@dataclass(frozen=True)
class TemplateVersionView:
    version: int
    snapshot: dict[str, Any]
    changed_by_name: str
    created_at: datetime


@dataclass(frozen=True)
class TemplateScope:
    """Where the caller may add a template: everyone (kb_id None) or one KB they administer."""

    kb_id: str | None
    label: str


# --- built-in templates -------------------------------------------------------------------


def ensure_built_in_templates(session: Session) -> int:
    """Insert each built-in template that is missing, and give a new version to one whose
    definition changed; returns how many were written (0 when all are current)."""
    written = 0
    for definition in BUILT_IN_TEMPLATES:
        row = session.exec(select(DraftTemplate).where(DraftTemplate.key == definition.key)).first()
        before = snapshot(row) if row is not None else None
        if before == _built_in_snapshot(definition):
            continue
        row = row or DraftTemplate(key=definition.key, built_in=True, version=0, name="")
        _apply(row, _built_in_fields(definition))
        row.kind, row.kb_id, row.archived_at = definition.kind, None, None
        row.version += 1
        _save_version(session, row, changed_by=None)
        if before is not None:  # a new release changed it: say so (first seeding is not news)
            changed = sorted(k for k, v in snapshot(row).items() if before.get(k) != v)
            _audit(session, "draft.template_update", None, row, None, changed=changed)
        written += 1
    return written


def seed_built_in_templates() -> None:
    """Make sure the built-in templates are stored and current (cheap once they are)."""
    with read_session() as session:
        stored = session.exec(select(DraftTemplate).where(col(DraftTemplate.built_in))).all()
        current = {row.key: snapshot(row) for row in stored}
    if all(current.get(t.key) == _built_in_snapshot(t) for t in BUILT_IN_TEMPLATES):
        return
    try:
        with transaction() as session:
            ensure_built_in_templates(session)
    except IntegrityError:
        pass  # another process seeded them at the same moment


def _built_in_fields(definition: BuiltInTemplate) -> TemplateFields:
    return TemplateFields(
        name=definition.name,
        description=definition.description,
        sections=definition.section_dicts(),
        answer_length=definition.answer_length.value,
        tone=definition.tone.value,
    )


def _built_in_snapshot(definition: BuiltInTemplate) -> dict[str, Any]:
    return {**_built_in_fields(definition).snapshot(), "kind": definition.kind, "kb_id": None}


# --- reading --------------------------------------------------------------------------------


def list_templates(user: User) -> list[DraftTemplate]:
    """The templates the user may start a draft from: built-in ones first, then those for
    everyone, then those of the KBs they may read, by name."""
    return [entry.template for entry in template_entries(user)]


def template_entries(user: User, include_archived: bool = False) -> list[TemplateEntry]:
    """Every template the user may use, each with its KB's name and whether they may change
    it; with include_archived, also the archived ones they may change (to restore them)."""
    access.require_active(user)
    seed_built_in_templates()
    with read_session() as session:
        readable = access.readable_kb_ids(session, user)
        query = select(DraftTemplate).where(
            or_(
                col(DraftTemplate.built_in),
                col(DraftTemplate.kb_id).is_(None),
                col(DraftTemplate.kb_id).in_(readable),
            )
        )
        if not include_archived:
            query = query.where(col(DraftTemplate.archived_at).is_(None))
        names = _kb_names(session, readable)
        manages = template_access.scope_manager(session, user)
        entries = []
        for template in session.exec(query):
            manage = not template.built_in and manages(template.kb_id)
            if template.archived_at is None or manage:
                entries.append(TemplateEntry(template, names.get(template.kb_id or ""), manage))
        return sorted(entries, key=_listing_order)


def get_template(user: User, template_id: str) -> DraftTemplate:
    """One template the user may use or change."""
    seed_built_in_templates()
    with read_session() as session:
        return template_access.find(session, user, template_id)


def usable_template(session: Session, user: User, template_id: str) -> DraftTemplate:
    """The template a new draft starts from, in the caller's unit of work: one the user may
    use and not archived."""
    template = template_access.find(session, user, template_id)
    if template.archived_at is not None:
        raise DraftInputError(f"The template {template.name} is archived; choose another one.")
    return template


def template_versions(user: User, template_id: str) -> list[TemplateVersionView]:
    """Every saved state of a template the user may see, newest first."""
    with read_session() as session:
        template_access.find(session, user, template_id)
        rows = session.exec(
            select(DraftTemplateVersion, User)
            .join(User, col(User.id) == DraftTemplateVersion.changed_by, isouter=True)
            .where(DraftTemplateVersion.template_id == template_id)
            .order_by(col(DraftTemplateVersion.version).desc())
        ).all()
        return [
            TemplateVersionView(
                v.version, dict(v.snapshot), who.display_name if who else "LumiKB", v.created_at
            )
            for v, who in rows
        ]


def template_scopes(user: User) -> list[TemplateScope]:
    """Where the user may add a template (empty: nowhere)."""
    access.require_active(user)
    with read_session() as session:
        scopes = [TemplateScope(None, "Everyone")] if access.is_admin(user) else []
        kbs = session.exec(
            select(KnowledgeBase)
            .where(col(KnowledgeBase.id).in_(access.readable_kb_ids(session, user)))
            .order_by(col(KnowledgeBase.name))
        ).all()
        manages = template_access.scope_manager(session, user)
        return scopes + [TemplateScope(kb.id, kb.name) for kb in kbs if manages(kb.id)]


# --- changing -------------------------------------------------------------------------------


def create_template(
    user: User,
    name: str,
    description: str,
    sections: list[dict[str, str]],
    answer_length: str = "medium",
    tone: str = "neutral",
    kb_id: str | None = None,
    ip: str | None = None,
) -> DraftTemplate:
    """A new template for a KB's readers (kb_id: its admins only) or for everyone (None:
    system admins only); version 1, audited."""
    access.require_active(user)
    fields = template_fields(name, description, sections, answer_length, tone)
    kb_id = clean_kb_id(kb_id)
    seed_built_in_templates()  # their names are taken for everyone
    with transaction() as session:
        template_access.require_scope(session, user, kb_id)
        template = DraftTemplate(name=fields.name, kb_id=kb_id, created_by=user.id, version=1)
        _apply(template, fields)
        _save_version(session, template, changed_by=user.id)
        _require_room(session, template)
        _audit(session, "draft.template_create", user, template, ip)
        return template


def update_template(
    user: User,
    template_id: str,
    *,
    name: str,
    description: str,
    sections: list[dict[str, str]],
    answer_length: str,
    tone: str,
    base_version: int | None = None,
    ip: str | None = None,
) -> DraftTemplate:
    """Save a new version of a custom template (its KB's admins, or system admins for one made
    for everyone). With base_version, refused if someone saved another version since. Drafts
    already made from it keep their sections."""
    access.require_active(user)
    if base_version is not None and (
        isinstance(base_version, bool) or not isinstance(base_version, int)
    ):
        raise DraftInputError("A template version is a whole number.")
    fields = template_fields(name, description, sections, answer_length, tone)
    with transaction() as session:
        template = template_access.find_to_manage(session, user, template_id)
        if base_version is not None and template.version != base_version:
            raise DraftInputError(SAVED_MEANWHILE)
        before = snapshot(template)
        if all(before[key] == value for key, value in fields.snapshot().items()):
            return template  # nothing changed: no new version
        _claim_next_version(session, template)
        _apply(template, fields)
        _save_version(session, template, changed_by=user.id)
        _require_room(session, template)
        changed = sorted(k for k, v in snapshot(template).items() if before.get(k) != v)
        _audit(session, "draft.template_update", user, template, ip, changed=changed)
        return template


def archive_template(user: User, template_id: str, ip: str | None = None) -> DraftTemplate:
    """Hide a custom template from new drafts; drafts made from it are unchanged."""
    return _set_archived(user, template_id, True, ip)


def restore_template(user: User, template_id: str, ip: str | None = None) -> DraftTemplate:
    return _set_archived(user, template_id, False, ip)


def _set_archived(user: User, template_id: str, archived: bool, ip: str | None) -> DraftTemplate:
    access.require_active(user)
    with transaction() as session:
        template = template_access.find_to_manage(session, user, template_id)
        if (template.archived_at is not None) == archived:
            return template
        template.archived_at = utcnow() if archived else None
        template.updated_at = utcnow()
        session.add(template)
        session.flush()
        if not archived:
            _require_room(session, template)
        action = "draft.template_archive" if archived else "draft.template_restore"
        _audit(session, action, user, template, ip)
        return template


# --- helpers --------------------------------------------------------------------------------


def snapshot(template: DraftTemplate) -> dict[str, Any]:
    """What a version records: the template's content, as TemplateFields records checked input
    (so a saved template and new input compare field by field), and its scope."""
    content = TemplateFields(
        name=template.name,
        description=template.description,
        sections=template.sections,
        answer_length=template.answer_length,
        tone=template.tone,
    )
    return {**content.snapshot(), "kind": template.kind, "kb_id": template.kb_id}


def _claim_next_version(session: Session, template: DraftTemplate) -> None:
    """Count the new version only if nobody saved one since the template was read (the UPDATE
    waits for a concurrent writer's commit, then finds the version moved): two people saving
    at once never share a version, and the later one is told."""
    claim = (
        update(DraftTemplate)
        .where(col(DraftTemplate.id) == template.id, col(DraftTemplate.version) == template.version)
        .values(version=template.version + 1)
    )
    if session.connection().execute(claim).rowcount != 1:
        raise DraftInputError(SAVED_MEANWHILE)
    template.version += 1


def _apply(template: DraftTemplate, fields: TemplateFields) -> None:
    template.name, template.description = fields.name, fields.description
    template.sections = [dict(s) for s in fields.sections]
    template.answer_length, template.tone = fields.answer_length, fields.tone


def _save_version(session: Session, template: DraftTemplate, changed_by: str | None) -> None:
    template.updated_at = utcnow()
    session.add(template)
    session.flush()
    session.add(
        DraftTemplateVersion(
            template_id=template.id,
            version=template.version,
            snapshot=snapshot(template),
            changed_by=changed_by,
        )
    )


def _require_room(session: Session, template: DraftTemplate) -> None:
    """One live template per name in a scope (built-in names count for everyone), and at most
    MAX_TEMPLATES_PER_SCOPE. Checked once the template's row is written: on SQLite that write
    holds the database's single write lock, on PostgreSQL an advisory lock per scope orders
    the checks, so two people saving the same name at once cannot both succeed."""
    kb_id = template.kb_id
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _scope_lock(kb_id)})
    scope = col(DraftTemplate.kb_id).is_(None) if kb_id is None else DraftTemplate.kb_id == kb_id
    others = session.exec(
        select(DraftTemplate.name).where(
            scope, col(DraftTemplate.archived_at).is_(None), DraftTemplate.id != template.id
        )
    ).all()
    if template.name.casefold() in {other.casefold() for other in others}:
        where = "for everyone" if kb_id is None else "in this knowledge base"
        raise DraftInputError(f"A template named “{template.name}” already exists {where}.")
    if len(others) >= MAX_TEMPLATES_PER_SCOPE:
        raise DraftInputError(
            f"There can be at most {MAX_TEMPLATES_PER_SCOPE} templates here; archive one first."
        )


def _scope_lock(kb_id: str | None) -> int:
    digest = hashlib.sha256(f"draft-templates:{kb_id or '*'}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _audit(
    session: Session,
    action: str,
    user: User | None,
    template: DraftTemplate,
    ip: str | None,
    **details: Any,
) -> None:
    audit.record(
        session,
        action,
        actor=user,
        ip=ip,
        target=template.id,
        kb_id=template.kb_id,
        details={
            "name": template.name,
            "version": template.version,
            "sections": len(template.sections),
            **details,
        },
    )


def _kb_names(session: Session, kb_ids: list[str]) -> dict[str, str]:
    if not kb_ids:
        return {}
    rows = session.exec(
        select(KnowledgeBase.id, KnowledgeBase.name).where(col(KnowledgeBase.id).in_(kb_ids))
    ).all()
    return dict(rows)


def _listing_order(entry: TemplateEntry) -> tuple[int, int, str, str]:
    t = entry.template
    group = 0 if t.built_in else 1 if t.kb_id is None else 2
    return (group, _BUILT_IN_ORDER.get(t.key or "", 0), entry.kb_name or "", t.name.casefold())
