"""Models as the rest of LumiKB sees them: what a KB admin may choose, and the chat model or
embedder a KB's settings name, built by the container from its registry entry.

KB settings hold registry ids: `embedding_model` an embedding entry's id ("default" is the
built-in embedder), `chat_model` a chat entry's id or "" for the registry's default chat model.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Model, User
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID, ModelKind, ModelSpec
from lumikb_app.ports.embeddings import Embedder, EmbeddingError
from lumikb_app.ports.llm import ChatModel, LlmError
from lumikb_app.services.accounts.access import require_active
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.models.entries import spec_of
from lumikb_app.services.platform.transactions import read_session


@dataclass(frozen=True)
class ModelChoice:
    id: str
    name: str
    is_default: bool


def choices(user: User, kind: ModelKind) -> list[ModelChoice]:
    """The live entries of a kind, the default first: what a KB settings form offers."""
    require_active(user)
    with read_session() as session:
        entries = session.exec(
            select(Model)
            .where(Model.kind == kind.value, col(Model.retired_at).is_(None))
            .order_by(col(Model.is_default).desc(), col(Model.name))
        )
        return [ModelChoice(e.id, e.name, e.is_default) for e in entries]


def require_choosable(session: Session, model_id: str, kind: ModelKind) -> Model:
    """The live registry entry of that kind, or a refusal: KB settings name nothing else."""
    entry = session.get(Model, model_id) if model_id else None
    if entry is None or entry.kind != kind.value or entry.retired_at is not None:
        raise InvalidInput(
            f"Choose the {kind.value} model from the model registry; "
            "an administrator adds models in Admin → Models."
        )
    return entry


def default_id(session: Session, kind: ModelKind) -> str | None:
    entry = session.exec(
        select(Model).where(Model.kind == kind.value, col(Model.is_default))
    ).first()
    return entry.id if entry else None


def spec_in(session: Session, model_id: str) -> ModelSpec | None:
    """The spec of an entry, live or retired (a KB keeps working with what it was built with)."""
    entry = session.get(Model, model_id) if model_id else None
    return spec_of(entry) if entry is not None else None


def chat_model(model_id: str = "") -> ChatModel | None:
    """The chat model a KB names, or the registry's default (None: no chat model, so answers
    quote their sources)."""
    with read_session() as session:
        spec = spec_in(session, model_id or default_id(session, ModelKind.chat) or "")
    if model_id and spec is None:
        raise LlmError(
            "This knowledge base's chat model is no longer in the model registry; "
            "its admin chooses another one in the knowledge base settings."
        )
    return get_container().chat_model_for(spec) if spec is not None else None


def embedder(model_id: str) -> Embedder:
    with read_session() as session:
        spec = embedding_spec(session, model_id)
    return get_container().embedder_for(spec)


def embedder_in(session: Session, model_id: str) -> Embedder:
    """The embedder a KB names, for a caller holding a session (building one is no network call)."""
    return get_container().embedder_for(embedding_spec(session, model_id))


def embedding_spec(session: Session, model_id: str) -> ModelSpec:
    spec = spec_in(session, model_id or BUILTIN_EMBEDDER_ID)
    if spec is None or spec.kind is not ModelKind.embedding:
        raise EmbeddingError(
            f"The embedding model {model_id[:40]!r} is not in the model registry; the knowledge "
            "base's admin chooses one in its settings."
        )
    return spec
