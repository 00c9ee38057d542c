"""Chat on real stores (qdrant-edge + SQLite / PostgreSQL) and the real retrieval service, with
the fake embedding model and the fake chat model."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.db.tables import Chunk, Document
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat import chat, conversations
from lumikb_app.services.platform.transactions import transaction
from tests.integration.retrieval.search_helpers import World, make_world
from tests.model_registry import answer_with

pytestmark = pytest.mark.integration

BACKUPS = (
    "# Backups\n\nBackups of the main database run every night at two in the morning. "
    "Each backup is kept for thirty days in the offsite vault. "
    "Restoring a backup takes about an hour and needs the on-call engineer."
)
DEPLOY = (
    "# Deploys\n\nDeploys go out on Tuesdays and Thursdays after the review meeting. "
    "When a deploy fails with error XQ-4471, restart the queue worker and try again."
)
SALARIES = (
    "# Salaries\n\nSalary bands for the finance team are reviewed every March by the board. "
    "The salary review budget for next year grows by four percent."
)


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    world = make_world(request, monkeypatch)
    world.ingest(world.kb_a, "backups.md", BACKUPS)
    world.ingest(world.kb_a, "deploys.md", DEPLOY)
    world.ingest(world.kb_b, "salaries.md", SALARIES)
    return world


def use_model(model) -> None:
    answer_with(model)


def run(events) -> tuple[list, dict]:
    events = list(events)
    assert events[-1].kind == "done", events[-1]
    return events, events[-1].data


def chunks_of_kb(kb_id: str) -> dict[str, str]:
    with transaction() as session:
        rows = session.exec(
            select(Chunk.id, Chunk.text).join(Document).where(Document.kb_id == kb_id)
        ).all()
    return dict(rows)


def test_every_citation_in_a_streamed_answer_maps_to_a_retrieved_chunk(world):
    use_model(FakeChatModel(delay=0))
    conversation = conversations.create_conversation(world.reader)
    events, done = run(chat.ask(world.reader, conversation.id, "When do database backups run?"))
    assert done["mode"] == "llm"
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", done["content"])}
    cited = {c["n"]: c for c in done["citations"]}
    assert markers and markers == set(cited)  # every marker shown is a citation, none dropped
    kb_chunks = chunks_of_kb(world.kb_a)
    retrieved = {s["chunk_id"] for s in done["sources"]}
    for citation in cited.values():
        assert citation["chunk_id"] in retrieved and citation["chunk_id"] in kb_chunks
        assert citation["text"] in kb_chunks[citation["chunk_id"]]
        assert (
            citation["href"]
            == f"/view/{citation['document_id']}?chunk={citation['chunk_id']}&page=&version=1"
        )
    streamed = [e.data for e in events if e.kind == "citation"]
    assert [c["chunk_id"] for c in streamed] == [c["chunk_id"] for c in done["citations"]]
    assert cited[1]["document_name"] == "backups.md"


def test_extractive_answers_quote_the_documents_verbatim(world):
    conversation = conversations.create_conversation(world.reader)
    _, done = run(chat.ask(world.reader, conversation.id, "How long is each backup kept?"))
    assert done["mode"] == "extractive"
    first = done["content"].split(" [1]")[0]
    assert first == "Each backup is kept for thirty days in the offsite vault."
    assert first in chunks_of_kb(world.kb_a)[done["citations"][0]["chunk_id"]]
    assert "Admin → Models" in done["content"]


def test_a_user_without_a_grant_gets_no_passage_of_that_kb_through_chat(world):
    use_model(FakeChatModel(delay=0))
    question = "When are salary bands for the finance team reviewed?"
    admin_view = conversations.create_conversation(world.admin)
    _, done = run(chat.ask(world.admin, admin_view.id, question))
    assert done["citations"] and done["citations"][0]["kb_id"] == world.kb_b  # it is findable

    finance_chunks = set(chunks_of_kb(world.kb_b))
    for user in (world.reader, world.outsider):
        conversation = conversations.create_conversation(user)
        _, done = run(chat.ask(user, conversation.id, question))
        assert not {s["chunk_id"] for s in done["sources"]} & finance_chunks
        assert all(s["kb_id"] != world.kb_b for s in done["sources"])
        assert "March" not in done["content"]
        with pytest.raises(PermissionDenied):
            conversations.create_conversation(user, kb_ids=[world.kb_b])


def test_a_revoked_grant_closes_a_conversation_limited_to_that_kb(world):
    conversation = conversations.create_conversation(world.reader, kb_ids=[world.kb_a])
    _, done = run(chat.ask(world.reader, conversation.id, "When do database backups run?"))
    assert done["sources"]
    grants.remove_grant(world.admin, world.kb_a, world.reader.id)
    _, done = run(chat.ask(world.reader, conversation.id, "When do database backups run?"))
    assert (done["mode"], done["sources"]) == ("no_answer", [])


def test_another_users_conversation_is_invisible_and_undeletable(world):
    mine = conversations.create_conversation(world.reader, "Mine")
    run(chat.ask(world.reader, mine.id, "When do database backups run?"))
    answer = conversations.list_messages(world.reader, mine.id)[-1]
    other = world.outsider
    assert conversations.list_conversations(other).conversations == []
    for attempt in (
        lambda: conversations.delete_conversation(other, mine.id),
        lambda: conversations.list_messages(other, mine.id),
        lambda: conversations.rename_conversation(other, mine.id, "Taken"),
        lambda: conversations.rate_message(other, answer.id, -1),
        lambda: chat.ask(other, mine.id, "backups?"),
        lambda: chat.regenerate(other, mine.id),
    ):
        with pytest.raises(PermissionDenied, match="Conversation not found."):
            attempt()
    assert [c.title for c in conversations.list_conversations(world.reader).conversations] == [
        "Mine"
    ]
    assert len(conversations.list_messages(world.reader, mine.id)) == 2


def test_stop_keeps_a_partial_answer_as_stopped(world):
    use_model(FakeChatModel(delay=0.001))
    conversation = conversations.create_conversation(world.reader)
    shown: list[str] = []
    for event in chat.ask(
        world.reader,
        conversation.id,
        "When do database backups run?",
        should_stop=lambda: len(shown) >= 4,
    ):
        if event.kind == "token":
            shown.append(event.data["text"])
        if event.kind == "done":
            assert event.data["status"] == "stopped"
    answer = conversations.list_messages(world.reader, conversation.id)[-1]
    assert answer.status == "stopped" and answer.content == "".join(shown).strip()
    assert len(shown) == 4 and not answer.content.endswith("elsewhere.")


def test_regenerate_replaces_the_answer(world):
    conversation = conversations.create_conversation(world.reader)
    _, first = run(chat.ask(world.reader, conversation.id, "When do database backups run?"))
    use_model(FakeChatModel(delay=0))
    _, again = run(chat.regenerate(world.reader, conversation.id))
    messages = conversations.list_messages(world.reader, conversation.id)
    assert [(m.role, m.mode or None) for m in messages] == [("user", None), ("assistant", "llm")]
    assert messages[-1].id == again["message_id"] != first["message_id"]
    assert messages[-1].content == again["content"] != first["content"]


def test_nothing_relevant_means_no_answer(world):
    use_model(model := FakeChatModel(delay=0))
    conversation = conversations.create_conversation(world.reader)
    _, done = run(chat.ask(world.reader, conversation.id, "zebra migration across the savanna"))
    assert (done["mode"], done["citations"], done["confidence"]) == ("no_answer", [], 0.0)
    assert "do not cover" in done["content"] and model.calls == []


def test_feedback_is_stored(world):
    conversation = conversations.create_conversation(world.reader)
    _, done = run(chat.ask(world.reader, conversation.id, "When do database backups run?"))
    conversations.rate_message(world.reader, done["message_id"], 1, "Exactly right")
    stored = conversations.list_messages(world.reader, conversation.id)[-1]
    assert (stored.rating, stored.feedback) == (1, "Exactly right")
