"""Who may use and who may change a template.

Built-in templates and those a system admin made are for everyone; one a KB admin made is for
the readers of that KB (while it is not archived). Changing one takes an admin of its KB, or a
system admin for one made for everyone; built-in templates are never changed. A template the
caller may not see gets the same message as a missing one, so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from lumikb_app.db.tables import DraftTemplate, KbGrant, KnowledgeBase, User
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import access
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting.template_rules import MAX_ID

NOT_FOUND = "Template not found."
BUILT_IN = (
    "Built-in templates cannot be changed. Create your own template from its sections instead."
)
NOT_KB_ADMIN = "Only an admin of this template's knowledge base can change it."
NOT_SYSTEM_ADMIN = "Only a system administrator can change a template made for everyone."


def may_use(session: Session, user: User, template: DraftTemplate) -> bool:
    if not user.is_active or template.archived_at is not None:
        return False
    if template.built_in or template.kb_id is None:
        return True
    return _open_kb(session, template.kb_id) and access.can(
        session, user, template.kb_id, KbRole.READ
    )


def may_manage(session: Session, user: User, template: DraftTemplate) -> bool:
    if template.built_in or not user.is_active:
        return False
    if template.kb_id is None:
        return access.is_admin(user)
    return access.can(session, user, template.kb_id, KbRole.ADMIN)


def scope_manager(session: Session, user: User) -> Callable[[str | None], bool]:
    """Whether the user may change the templates of a scope (a KB id, or None for everyone),
    for a whole listing with one query."""
    if not user.is_active:
        return lambda kb_id: False
    if access.is_admin(user):
        return lambda kb_id: True
    admin_of = set(
        session.exec(
            select(KbGrant.kb_id).where(KbGrant.user_id == user.id, KbGrant.role == KbRole.ADMIN)
        ).all()
    )
    return lambda kb_id: kb_id is not None and kb_id in admin_of


def find(session: Session, user: User, template_id: object) -> DraftTemplate:
    """A template the caller may use, or one they manage (archived ones too)."""
    access.require_active(user)
    if not isinstance(template_id, str):
        raise DraftInputError("A template is chosen by its id.")
    template = (
        session.get(DraftTemplate, template_id)
        if template_id and len(template_id) <= MAX_ID
        else None
    )
    if template is None or not (
        may_use(session, user, template) or may_manage(session, user, template)
    ):
        raise PermissionDenied(NOT_FOUND)
    return template


def find_to_manage(session: Session, user: User, template_id: object) -> DraftTemplate:
    template = find(session, user, template_id)
    if template.built_in:
        raise PermissionDenied(BUILT_IN)
    if not may_manage(session, user, template):
        raise PermissionDenied(NOT_SYSTEM_ADMIN if template.kb_id is None else NOT_KB_ADMIN)
    return template


def require_scope(session: Session, user: User, kb_id: str | None) -> KnowledgeBase | None:
    """May the caller add a template for everyone (None: system admins) or to this KB (its
    admins)? Returns the KB."""
    access.require_active(user)
    if kb_id is None:
        if not access.is_admin(user):
            raise PermissionDenied(
                "Only a system administrator can add a template for everyone; "
                "choose a knowledge base you administer."
            )
        return None
    access.require(session, user, kb_id, KbRole.READ)
    if not access.can(session, user, kb_id, KbRole.ADMIN):
        raise PermissionDenied("Only an admin of this knowledge base can add templates to it.")
    kb = session.get_one(KnowledgeBase, kb_id)
    if kb.archived_at is not None:
        raise DraftInputError(f"The knowledge base {kb.name} is archived.")
    return kb


def _open_kb(session: Session, kb_id: str) -> bool:
    kb = session.get(KnowledgeBase, kb_id)
    return kb is not None and kb.archived_at is None
