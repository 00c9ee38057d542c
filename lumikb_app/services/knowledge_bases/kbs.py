"""Knowledge bases: create, change, archive, and list what a user may read."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import KbGrant, KnowledgeBase, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID, ModelKind
from lumikb_app.domain.text import text_problem
from lumikb_app.services.accounts import access, audit
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.documents import outbox
from lumikb_app.services.knowledge_bases.kb_creation import require_may_create
from lumikb_app.services.models import choices
from lumikb_app.services.platform.transactions import read_session, transaction

MAX_KB_NAME = 120
MAX_KB_DESCRIPTION = 2000


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Knowledge base name is required.")
    if len(name) > MAX_KB_NAME:
        raise InvalidInput(f"Knowledge base name must be at most {MAX_KB_NAME} characters.")
    if problem := text_problem(name):
        raise InvalidInput(problem)
    return name


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_KB_DESCRIPTION:
        raise InvalidInput(f"Description must be at most {MAX_KB_DESCRIPTION} characters.")
    if problem := text_problem(description):
        raise InvalidInput(problem)
    return description


def create_kb(
    user: User,
    name: str,
    description: str = "",
    ip: str | None = None,
    *,
    settings: KbSettings | None = None,
) -> KnowledgeBase:
    """A new KB with its creator as its ADMIN (and, if given, settings other than the defaults).

    Who may create one is an admin setting (kb_creation); without settings, the KB embeds with
    the registry's default embedding model."""
    access.require_active(user)
    kb = KnowledgeBase(
        name=_clean_name(name), description=_clean_description(description), created_by=user.id
    )
    with transaction() as session:
        require_may_create(session, user)
        kb.settings = _initial_settings(session, settings).model_dump()
        session.add(kb)
        session.flush()
        session.add(KbGrant(kb_id=kb.id, user_id=user.id, role=KbRole.ADMIN, granted_by=user.id))
        audit.record(session, "kb.created", actor=user, ip=ip, kb_id=kb.id, target=kb.name)
    return kb


def _initial_settings(session: Session, settings: KbSettings | None) -> KbSettings:
    if settings is None:
        embedder = choices.default_id(session, ModelKind.embedding) or BUILTIN_EMBEDDER_ID
        return KbSettings(embedding_model=embedder)
    choices.require_choosable(session, settings.embedding_model, ModelKind.embedding)
    if settings.chat_model:
        choices.require_choosable(session, settings.chat_model, ModelKind.chat)
    return settings


def update_kb(
    user: User, kb_id: str, *, name: str, description: str, ip: str | None = None
) -> KnowledgeBase:
    with transaction() as session:
        access.require(session, user, kb_id, KbRole.ADMIN)
        kb = session.get_one(KnowledgeBase, kb_id)
        before = {"name": kb.name, "description": kb.description}
        kb.name, kb.description, kb.updated_at = (
            _clean_name(name),
            _clean_description(description),
            utcnow(),
        )
        session.add(kb)
        audit.record(
            session,
            "kb.changed",
            actor=user,
            ip=ip,
            kb_id=kb.id,
            target=kb.name,
            details={"before": before},
        )
        return kb


def set_archived(user: User, kb_id: str, archived: bool, ip: str | None = None) -> KnowledgeBase:
    """Archived KBs leave every listing and search; their admins can still open and restore them."""
    with transaction() as session:
        access.require(session, user, kb_id, KbRole.ADMIN)
        kb = session.get_one(KnowledgeBase, kb_id)
        kb.archived_at, kb.updated_at = (utcnow() if archived else None), utcnow()
        session.add(kb)
        audit.record(
            session,
            "kb.archived" if archived else "kb.restored",
            actor=user,
            ip=ip,
            kb_id=kb_id,
            target=kb.name,
        )
        return kb


def delete_kb(user: User, kb_id: str, ip: str | None = None) -> None:
    """Hide the KB at once and purge it from every store in the background."""
    with transaction() as session:
        access.require(session, user, kb_id, KbRole.ADMIN)
        kb = session.get_one(KnowledgeBase, kb_id)
        kb.archived_at = kb.archived_at or utcnow()
        session.add(kb)
        session.exec(
            delete(KbGrant).where(col(KbGrant.kb_id) == kb_id, col(KbGrant.role) < KbRole.ADMIN)
        )
        event = outbox.add(session, outbox.PURGE_KB, kb_id=kb_id)
        audit.record(session, "kb.deleted", actor=user, ip=ip, kb_id=kb_id, target=kb.name)
    outbox.dispatch([event])


def list_kbs(user: User) -> list[KnowledgeBase]:
    """The KBs the user may read, by name (archived ones are left out)."""
    with read_session() as session:
        ids = access.readable_kb_ids(session, user)
        if not ids:
            return []
        return list(
            session.exec(
                select(KnowledgeBase)
                .where(col(KnowledgeBase.id).in_(ids))
                .order_by(col(KnowledgeBase.name))
            )
        )


def get_kb(user: User, kb_id: str) -> KnowledgeBase:
    with read_session() as session:
        access.require(session, user, kb_id, KbRole.READ)
        return session.get_one(KnowledgeBase, kb_id)


def my_role(user: User, kb_id: str) -> KbRole | None:
    with read_session() as session:
        return access.role_on(session, user, kb_id)
