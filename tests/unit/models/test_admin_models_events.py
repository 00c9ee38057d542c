"""Admin → Models' Reflex events, sent by hand: a member gets nothing done and sees nothing of the
registry; an admin's odd arguments are refused with a message and change nothing."""

import pytest
from sqlmodel import select

from lumikb_app.db.tables import Model
from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID
from lumikb_app.services.platform.transactions import read_session
from lumikb_app.state.models.admin_models import AdminModelsState
from tests.reflex_states import admin_and_member

pytestmark = pytest.mark.unit
FORM = {"name": "Llama", "litellm_model": "ollama/llama3.2", "context_window": "8192"}


@pytest.fixture
def pages(migrated):
    return admin_and_member(AdminModelsState)


def _entries() -> list[Model]:
    with read_session() as session:
        return list(session.exec(select(Model)))


async def test_a_member_sending_the_events_by_hand_changes_and_sees_nothing(pages):
    _, member = pages
    await AdminModelsState.load_models.fn(member)
    assert member.models == []
    await AdminModelsState.add_model.fn(member, FORM)
    assert member.add_error == "Only administrators can do this."
    await AdminModelsState.retire.fn(member, BUILTIN_EMBEDDER_ID)
    assert member.error == "Only administrators can do this."
    assert [(e.id, e.retired_at) for e in _entries()] == [(BUILTIN_EMBEDDER_ID, None)]


async def test_an_admin_adds_a_model_and_odd_arguments_are_refused(pages):
    admin, _ = pages
    await AdminModelsState.load_models.fn(admin)
    AdminModelsState.set_new_kind.fn(admin, "reranker")  # not a kind: ignored
    assert admin.new_kind == "chat"
    await AdminModelsState.add_model.fn(admin, {**FORM, "litellm_model": "x" * 10_000})
    assert "LiteLLM model string" in admin.add_error and len(_entries()) == 1
    await AdminModelsState.add_model.fn(admin, ["not", "a", "form"])
    assert "name" in admin.add_error and len(_entries()) == 1
    await AdminModelsState.make_default.fn(admin, {"id": BUILTIN_EMBEDDER_ID})
    assert admin.error == "No such model."
    await AdminModelsState.add_model.fn(admin, FORM)
    assert admin.add_error == "" and "Added Llama" in admin.notice
    assert [(m.name, m.kind, m.context_window) for m in admin.models] == [
        ("Llama", "chat", "8,192"),
        ("MiniLM (built in, offline)", "embedding", ""),
    ]
