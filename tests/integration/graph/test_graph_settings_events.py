"""The graph's controls as a browser sends them (the Reflex handlers called directly, past the event
guard, with each person's session cookie): the KB settings section and the documents page's
graph Retry. What a KB admin may change, what the estimate dialog does, and what a reader or a
writer cannot do, with nothing changed when refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, GraphExtraction, KnowledgeBase, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.graph import graph_mode
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.state.documents.documents import DocumentsState
from lumikb_app.state.knowledge_bases.kb_graph import KbGraphState
from tests.model_registry import answer_with
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration
PASSWORD = "a long enough secret"


@dataclass(frozen=True)
class World:
    owner: User  # the KB's ADMIN
    writer: User
    reader: User
    kb_id: str


@pytest.fixture
def world(migrated) -> World:
    with transaction() as session:
        people = [
            auth.create_user(session, email=f"{n}@x.io", display_name=n, password=PASSWORD)
            for n in ("owner", "writer", "reader")
        ]
    owner, writer, reader = people
    kb_id = kbs.create_kb(owner, "Typing").id
    grants.set_grant(owner, kb_id, writer.email, KbRole.WRITE)
    grants.set_grant(owner, kb_id, reader.email, KbRole.READ)
    return World(owner, writer, reader, kb_id)


def _ready_document(kb_id: str, chunks: int = 6) -> str:
    with get_container().db.session() as session:
        doc = Document(kb_id=kb_id, name="pep-0484.md", status="ready", chunk_count=chunks)
        session.add(doc)
        session.flush()
        for n in range(chunks):
            text = f"PEP 484 introduces TypeVar and Generic in part {n}. "
            session.add(Chunk(document_id=doc.id, kb_id=kb_id, ordinal=n, text=text,
                              char_start=0, char_end=len(text)))  # fmt: skip
        session.commit()
        return doc.id


def _page(state_class, user: User, kb_id: str, suffix: str = ""):
    token = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    root = signed_in_state(state_class.get_root_state(), token, f"/kb/{kb_id}{suffix}", kb_id=kb_id)
    return root.get_substate(state_class.get_full_name().split("."))


async def _settings(user: User, kb_id: str) -> KbGraphState:
    page = _page(KbGraphState, user, kb_id, "/settings")
    await KbGraphState.load_graph.fn(page)
    return page


async def _run(handler, page, *args) -> None:
    """Run a handler that may yield (pushing its state on the way) to its end."""
    result = handler.fn(page, *args)
    if hasattr(result, "__anext__"):
        async for _ in result:
            pass
    else:
        await result


def _mode(world: World) -> str:
    return kb_config.get_settings(world.owner, world.kb_id).graph_mode


async def test_without_a_model_the_language_model_mode_is_refused_with_its_reason(world):
    page = await _settings(world.owner, world.kb_id)
    assert page.graph_loaded and page.graph_mode == "off" and page.llm_model == ""
    assert "Admin → Models" in page.llm_disabled_reason
    await _run(KbGraphState.choose_mode, page, "llm")
    assert page.graph_error == graph_mode.NO_MODEL and _mode(world) == "off"
    await _run(KbGraphState.choose_mode, page, "everything")
    assert _mode(world) == "off"
    await _run(KbGraphState.choose_mode, page, "fast")
    assert (page.graph_mode, _mode(world)) == ("fast", "fast")
    assert page.graph_notice == "Saved. Each document you add gets its graph once it is searchable."


async def test_the_estimate_dialog_changes_nothing_until_it_is_confirmed(world):
    answer_with(FakeChatModel(delay=0.0, name="test/chat"))
    _ready_document(world.kb_id)
    graph_mode.set_mode(world.owner, world.kb_id, "fast")
    page = await _settings(world.owner, world.kb_id)
    assert page.llm_model != "" and page.llm_disabled_reason == ""

    await _run(KbGraphState.choose_mode, page, "llm")
    assert page.estimate_for == "llm" and not page.estimating
    assert page.estimate.chunks == "6 passages" and page.estimate.cost == "price unknown"
    KbGraphState.estimate_dialog_changed.fn(page, False)  # Cancel
    assert page.estimate_for == "" and _mode(world) == "fast" and page.graph_mode == "fast"

    await _run(KbGraphState.confirm_estimate, page, "something else")
    assert _mode(world) == "fast"
    await _run(KbGraphState.confirm_estimate, page, "llm")
    assert _mode(world) == "llm" and page.graph_mode == "llm"
    assert page.graph_notice == "Saved. Extracting 1 document in the background."


async def test_a_reader_gets_no_section_and_changes_nothing(world):
    _ready_document(world.kb_id)
    page = await _settings(world.reader, world.kb_id)
    assert not page.graph_loaded and page.card.entities == "0"
    page.graph_kb_id = world.kb_id  # as a hand-made event would find it
    await _run(KbGraphState.choose_mode, page, "fast")
    await _run(KbGraphState.set_graph_retrieval, page, True)
    await _run(KbGraphState.reextract, page)
    await _run(KbGraphState.confirm_estimate, page, "llm")
    assert page.graph_error != "" and page.graph_notice == ""
    settings = kb_config.get_settings(world.owner, world.kb_id)
    assert (settings.graph_mode, settings.graph_retrieval) == ("off", False)


async def test_a_failed_graph_stage_shows_its_reason_and_a_writer_retries_it(world):
    document_id = _ready_document(world.kb_id)
    with get_container().db.session() as session:  # written directly: no job runs meanwhile
        kb = session.get_one(KnowledgeBase, world.kb_id)
        kb.settings = {**kb.settings, "graph_mode": "fast"}
        session.add(kb)
        session.add(GraphExtraction(document_id=document_id, kb_id=world.kb_id, mode="fast",
                                    state="failed", error="The worker stopped"))  # fmt: skip
        session.commit()

    reader = _page(DocumentsState, world.reader, world.kb_id)
    await DocumentsState.load_documents.fn(reader)
    (shown,) = reader.documents
    assert shown.graph_failed and shown.graph_label == "Knowledge graph failed: The worker stopped"
    await DocumentsState.retry_graph.fn(reader, document_id)
    assert reader.docs_error != ""
    with get_container().db.session() as session:
        assert session.get_one(GraphExtraction, document_id).state == "failed"

    writer = _page(DocumentsState, world.writer, world.kb_id)
    await DocumentsState.load_documents.fn(writer)
    await DocumentsState.retry_graph.fn(writer, document_id)
    assert writer.docs_error == ""
    (shown,) = writer.documents
    assert shown.graph_shown and not shown.graph_failed  # queued again (or done already)


async def test_with_nothing_to_read_the_language_model_mode_needs_no_confirmation(world):
    answer_with(FakeChatModel(delay=0.0, name="test/chat"))
    page = await _settings(world.owner, world.kb_id)
    await _run(KbGraphState.choose_mode, page, "llm")
    assert page.estimate_for == "" and _mode(world) == "llm" and page.graph_mode == "llm"
    assert page.graph_notice.startswith("Saved. Each document you add")
