"""Test helpers for the model registry: add entries straight to the table, and answer chat with a
fake model at the port (the container builds the registry's default chat entry as that fake)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Model
from lumikb_app.domain.models import ModelKind
from lumikb_app.ports.llm import ChatModel
from lumikb_app.services.platform.transactions import transaction

TEST_CHAT_MODEL = "test/chat"  # never built: the container hands out the test's fake instead


def register(
    kind: ModelKind,
    litellm_model: str,
    *,
    name: str = "",
    default: bool = False,
    base_url: str | None = None,
    api_key_env: str | None = None,
) -> str:
    """A live entry; made the default of its kind when `default`. Returns its id."""
    with transaction() as session:
        if default:
            _clear_default(session, kind)
        entry = Model(
            kind=kind.value,
            name=name or litellm_model,
            litellm_model=litellm_model,
            base_url=base_url,
            api_key_env=api_key_env,
            is_default=default,
        )
        session.add(entry)
        session.flush()
        return entry.id


def _clear_default(session, kind: ModelKind) -> None:
    for entry in session.exec(select(Model).where(Model.kind == kind.value, col(Model.is_default))):
        entry.is_default = False
        session.add(entry)
    session.flush()


def answer_with(model: ChatModel | None) -> None:
    """Chat answers with `model`, or in extractive mode when None (no default chat model).

    The container is replaced between tests (the data_dir fixture resets it), so the override
    ends with the test."""
    if model is None:
        with transaction() as session:
            _clear_default(session, ModelKind.chat)
        return
    register(ModelKind.chat, TEST_CHAT_MODEL, name=f"Test chat {id(model)}", default=True)
    get_container().chat_model_for = lambda spec: model  # type: ignore[method-assign]


@contextmanager
def no_default_chat_model() -> Iterator[None]:
    """No default chat model while inside (answers quote their sources), then the same again."""
    with transaction() as session:
        chat = select(Model).where(Model.kind == ModelKind.chat.value, col(Model.is_default))
        defaults = [entry.id for entry in session.exec(chat)]
        _clear_default(session, ModelKind.chat)
    try:
        yield
    finally:
        with transaction() as session:
            for entry in session.exec(select(Model).where(col(Model.id).in_(defaults))):
                entry.is_default = True
                session.add(entry)
