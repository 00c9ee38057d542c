"""Administering the model registry: list, add, choose the default per kind, retire.

System administrators only; every change writes an audit row in the same transaction."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import KnowledgeBase, Model, User
from lumikb_app.domain.models import ModelKind
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.models.entries import NewModel, new_model
from lumikb_app.services.platform.transactions import read_session, transaction

KB_MODEL_FIELDS = ("chat_model", "embedding_model")
MAX_NAMED_KBS = 3


def list_models(actor: User) -> list[Model]:
    """Every entry, live ones first, by kind and name."""
    require_admin(actor)
    with read_session() as session:
        return list(
            session.exec(
                select(Model).order_by(
                    col(Model.retired_at).is_not(None), col(Model.kind), col(Model.name)
                )
            )
        )


def key_is_set(entry: Model) -> bool:
    """Whether the variable the entry names holds a value in this process (never the value)."""
    return entry.api_key_env is None or bool(get_container().settings.secret(entry.api_key_env))


def add_model(
    actor: User,
    *,
    kind: str,
    name: str,
    litellm_model: str,
    base_url: str = "",
    api_key_env: str = "",
    context_window: int | str | None = None,
    ip: str | None = None,
) -> Model:
    """A new live entry, not yet the default of its kind."""
    require_admin(actor)
    wanted = new_model(
        get_container().settings, kind=kind, name=name, litellm_model=litellm_model,
        base_url=base_url, api_key_env=api_key_env, context_window=context_window,
    )  # fmt: skip
    with transaction() as session:
        _refuse_duplicate(session, wanted)
        entry = Model(**vars(wanted), created_by=actor.id)
        session.add(entry)
        session.flush()
        audit.record(
            session, "model.added", actor=actor, ip=ip, target=entry.name, details=_described(entry)
        )
        return entry


def _live(session: Session, kind: ModelKind | None = None) -> list[Model]:
    query = select(Model).where(col(Model.retired_at).is_(None))
    if kind is not None:
        query = query.where(Model.kind == kind.value)
    return list(session.exec(query))


def _refuse_duplicate(session: Session, wanted: NewModel) -> None:
    for entry in _live(session):
        if entry.name.casefold() == wanted.name.casefold():
            raise InvalidInput(f'A model named "{entry.name}" is already registered.')
        if (entry.kind, entry.litellm_model, entry.base_url) == (
            wanted.kind.value,
            wanted.litellm_model,
            wanted.base_url,
        ):
            raise InvalidInput(f'This model is already registered as "{entry.name}".')


def _described(entry: Model) -> dict[str, object]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "litellm_model": entry.litellm_model,
        "base_url": entry.base_url,
        "api_key_env": entry.api_key_env,
        "context_window": entry.context_window,
    }


def _live_entry(session: Session, model_id: object) -> Model:
    entry = session.get(Model, model_id) if isinstance(model_id, str) and model_id else None
    if entry is None or entry.retired_at is not None:
        raise InvalidInput("No such model in the registry (or it was retired).")
    return entry


def set_default(actor: User, model_id: str, ip: str | None = None) -> Model:
    """Make a live entry the default of its kind: new KBs embed with the default embedder, and
    KBs without a chat model of their own answer with the default chat model."""
    require_admin(actor)
    try:
        with transaction() as session:
            entry = _live_entry(session, model_id)
            before = next((e for e in _live(session, ModelKind(entry.kind)) if e.is_default), None)
            if before is not None and before.id != entry.id:
                before.is_default, before.updated_at = False, utcnow()
                session.add(before)
                session.flush()  # one default per kind: the old one goes first
            entry.is_default, entry.updated_at = True, utcnow()
            session.add(entry)
            audit.record(
                session, "model.default_changed", actor=actor, ip=ip, target=entry.name,
                details={"kind": entry.kind, "before": before.id if before else None, "after": entry.id},
            )  # fmt: skip
            return entry
    except IntegrityError:
        raise InvalidInput("The default changed meanwhile; load the page again.") from None


def retire_model(actor: User, model_id: str, ip: str | None = None) -> Model:
    """Take an entry out of use: it can no longer be chosen. Refused while a knowledge base uses
    it, and for the default embedder (new KBs need one); retiring the default chat model leaves
    chat without a default (answers quote their sources until another is made the default)."""
    require_admin(actor)
    with transaction() as session:
        entry = _live_entry(session, model_id)
        if entry.is_default and entry.kind == ModelKind.embedding.value:
            raise InvalidInput("Make another embedding model the default before retiring this one.")
        users = _kbs_using(session, entry.id)
        if users:
            named = ", ".join(users[:MAX_NAMED_KBS]) + (
                ", ..." if len(users) > MAX_NAMED_KBS else ""
            )
            raise InvalidInput(
                f"{len(users)} knowledge base(s) use this model ({named}); "
                "their admins choose another one first."
            )
        entry.retired_at, entry.is_default, entry.updated_at = utcnow(), False, utcnow()
        session.add(entry)
        audit.record(
            session,
            "model.retired",
            actor=actor,
            ip=ip,
            target=entry.name,
            details=_described(entry),
        )
        return entry


def _kbs_using(session: Session, model_id: str) -> list[str]:
    rows = session.exec(
        select(KnowledgeBase.name, KnowledgeBase.settings).order_by(col(KnowledgeBase.name))
    )
    return [
        name for name, settings in rows if model_id in (settings.get(f) for f in KB_MODEL_FIELDS)
    ]
