"""Conversations and answers on the embedded database, with retrieval faked at its seam."""

import pytest
from prometheus_client import REGISTRY

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import KnowledgeBase
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.domain.enums import SystemRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.models import ModelKind
from lumikb_app.domain.retrieval import Passage, SearchInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.chat import chat, conversations
from lumikb_app.services.chat.extractive import NO_MODEL_NOTE
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.services.retrieval.terms import key_terms
from tests.model_registry import answer_with, register

pytestmark = pytest.mark.unit

CORPUS = [
    "Backups run every night at two in the morning. They are kept for thirty days.",
    "Restoring a backup takes about an hour. Ask the on-call engineer to restore one.",
    "The canteen serves lunch from noon. Coffee is free on Fridays.",
]


@pytest.fixture
def people(migrated):
    with transaction() as session:
        ann = create_user(
            session,
            email="ann@example.com",
            display_name="Ann",
            password="long enough pw",
            role=SystemRole.member,
        )
        bob = create_user(
            session,
            email="bob@example.com",
            display_name="Bob",
            password="long enough pw",
            role=SystemRole.member,
        )
    return ann, bob, kbs.create_kb(ann, "Ops").id


@pytest.fixture
def searches(monkeypatch):
    """Retrieval over CORPUS by shared terms; records the queries it was given."""
    queries = []

    def fake_search(user, query, kb_ids, graph=None):
        queries.append(query)
        wanted = set(key_terms(query))
        hits = [(len(wanted & set(key_terms(t))), i, t) for i, t in enumerate(CORPUS)]
        return [
            Passage(
                f"chunk{i}",
                f"doc{i}",
                f"doc{i}.md",
                "kb",
                "Ops",
                "text/markdown",
                t,
                score / 10,
                page_start=i + 1,
                matched_terms=(),
                semantic=True,
                keyword=True,
                relevance=score / len(wanted),  # the share of the question's terms it holds
            )
            for score, i, t in sorted(hits, reverse=True)
            if score
        ]

    monkeypatch.setattr(chat, "search_passages", fake_search)
    return queries


def use_model(model):
    answer_with(model)


def events_of(iterator):
    events = list(iterator)
    assert events[-1].kind in ("done", "error")
    return events


def text_of(events):
    return "".join(e.data["text"] for e in events if e.kind == "token")


def test_conversations_are_private_listed_newest_first_and_renamable(people):
    ann, bob, kb_id = people
    first = conversations.create_conversation(ann)
    second = conversations.create_conversation(ann, "Backups", kb_ids=[kb_id])
    assert [c.id for c in conversations.list_conversations(ann).conversations] == [
        second.id,
        first.id,
    ]
    assert conversations.list_conversations(bob).conversations == []
    renamed = conversations.rename_conversation(ann, first.id, "  Restores  ")
    assert renamed.title == "Restores"
    for call in (
        lambda: conversations.rename_conversation(bob, first.id, "Mine"),
        lambda: conversations.delete_conversation(bob, first.id),
        lambda: conversations.list_messages(bob, first.id),
        lambda: chat.ask(bob, first.id, "backups?"),
    ):
        with pytest.raises(PermissionDenied, match="Conversation not found."):
            call()
    conversations.delete_conversation(ann, first.id)
    assert [c.id for c in conversations.list_conversations(ann).conversations] == [second.id]


def test_bad_titles_and_unreadable_kbs_are_refused_and_change_nothing(people):
    ann, bob, kb_id = people
    conversation = conversations.create_conversation(ann, "Keep")
    for title in ("", "   ", "x" * 201):
        with pytest.raises(ChatInputError):
            conversations.rename_conversation(ann, conversation.id, title)
    with pytest.raises(PermissionDenied):
        conversations.create_conversation(bob, kb_ids=[kb_id])
    with pytest.raises(PermissionDenied):
        conversations.create_conversation(ann, kb_ids=["no-such-kb"])
    assert [c.title for c in conversations.list_conversations(ann).conversations] == ["Keep"]
    assert conversations.list_conversations(bob).conversations == []


def test_bad_questions_are_refused_before_anything_is_stored(people, searches):
    ann, _, _ = people
    conversation = conversations.create_conversation(ann)
    for question in ("", "   ", "x" * 4001):
        with pytest.raises(ChatInputError):
            chat.ask(ann, conversation.id, question)
    assert conversations.list_messages(ann, conversation.id) == []
    with pytest.raises(ChatInputError):
        chat.regenerate(ann, conversation.id)


def test_extractive_answer_quotes_cited_sentences_and_says_no_model_is_set(people, searches):
    ann, _, _ = people
    conversation = conversations.create_conversation(ann)
    events = events_of(chat.ask(ann, conversation.id, "How often do backups run?"))
    done = events[-1].data
    assert done["mode"] == "extractive"
    assert text_of(events) == done["content"]
    assert done["content"].startswith("Backups run every night at two in the morning. [1]")
    assert done["content"].endswith(NO_MODEL_NOTE) and "Admin → Models" in NO_MODEL_NOTE
    assert [c["chunk_id"] for c in done["citations"]][0] == "chunk0"
    assert [e.data["n"] for e in events if e.kind == "citation"] == [
        c["n"] for c in done["citations"]
    ]
    assert 0 < done["confidence"] <= 1
    user_message, answer = conversations.list_messages(ann, conversation.id)
    assert (user_message.role, user_message.content) == ("user", "How often do backups run?")
    assert (answer.id, answer.status, answer.content) == (
        done["message_id"],
        "done",
        done["content"],
    )
    assert (
        conversations.list_conversations(ann).conversations[0].title == "How often do backups run?"
    )


def test_llm_answer_drops_invalid_markers_and_every_citation_is_a_source(people, searches):
    ann, _, _ = people
    use_model(FakeChatModel(delay=0))
    conversation = conversations.create_conversation(ann)
    events = events_of(chat.ask(ann, conversation.id, "backups restore"))
    done = events[-1].data
    assert done["mode"] == "llm"
    assert "[9]" not in done["content"] and "[5]" not in done["content"]
    assert "[1]" in done["content"] and "[2]" in done["content"]
    source_chunks = {s["chunk_id"] for s in done["sources"]}
    assert {c["chunk_id"] for c in done["citations"]} <= source_chunks
    for citation in done["citations"]:
        assert citation["href"].startswith(f"/view/{citation['document_id']}?chunk=")
    tokens = [e.data["text"] for e in events if e.kind == "token"]
    assert len(tokens) > 5 and "".join(tokens) == done["content"]


def test_nothing_found_says_so_without_calling_the_model(people, searches):
    ann, _, _ = people
    model = FakeChatModel(delay=0)
    use_model(model)
    conversation = conversations.create_conversation(ann)
    done = events_of(chat.ask(ann, conversation.id, "zebra migration patterns"))[-1].data
    assert done["mode"] == "no_answer" and done["citations"] == [] and done["confidence"] == 0
    assert "do not cover" in done["content"]
    assert model.calls == []


def test_stop_keeps_the_partial_answer_as_stopped(people, searches):
    ann, _, _ = people
    use_model(FakeChatModel(delay=0))
    conversation = conversations.create_conversation(ann)
    seen = []
    events = chat.ask(ann, conversation.id, "backups", should_stop=lambda: len(seen) >= 3)
    for event in events:
        if event.kind == "token":
            seen.append(event.data["text"])
    answer = conversations.list_messages(ann, conversation.id)[-1]
    assert answer.status == "stopped"
    assert answer.content == "".join(seen).strip() and answer.content


def test_a_closed_stream_still_stores_what_was_shown(people, searches):
    ann, _, _ = people
    use_model(FakeChatModel(delay=0))
    conversation = conversations.create_conversation(ann)
    shown = []
    events = chat.ask(ann, conversation.id, "backups")
    for event in events:
        if event.kind == "token":
            shown.append(event.data["text"])
            if len(shown) == 2:
                break
    events.close()
    answer = conversations.list_messages(ann, conversation.id)[-1]
    assert answer.status == "stopped" and answer.content == "".join(shown).strip()


def test_a_model_failure_is_an_error_event_and_a_stored_error(people, searches):
    ann, _, _ = people
    use_model(FakeChatModel(delay=0, fail=True))
    conversation = conversations.create_conversation(ann)
    events = events_of(chat.ask(ann, conversation.id, "backups"))
    assert events[-1].kind == "error"
    assert events[-1].data["message"] == "The fake model dropped the connection."
    answer = conversations.list_messages(ann, conversation.id)[-1]
    assert answer.status == "error" and "dropped the connection" in answer.content


def test_an_unexpected_model_bug_gives_a_plain_message_not_a_traceback(people, searches):
    ann, _, _ = people

    class Buggy(FakeChatModel):
        def stream(self, messages, **kwargs):
            yield "Partial"
            raise KeyError("internal detail")

    use_model(Buggy(delay=0))
    conversation = conversations.create_conversation(ann)
    error = events_of(chat.ask(ann, conversation.id, "backups"))[-1]
    assert error.kind == "error" and error.data["message"] == chat.MODEL_FAILED
    assert "internal detail" not in conversations.list_messages(ann, conversation.id)[-1].content


def test_a_search_input_error_reaches_the_person(people, monkeypatch):
    ann, _, _ = people

    def refuse(user, query, kb_ids, graph=None):
        raise SearchInputError("The question is too long to search.")

    monkeypatch.setattr(chat, "search_passages", refuse)
    conversation = conversations.create_conversation(ann)
    error = events_of(chat.ask(ann, conversation.id, "backups"))[-1]
    assert error.data["message"] == "The question is too long to search."


def test_a_follow_up_is_searched_with_the_previous_topic(people, searches):
    ann, _, _ = people
    conversation = conversations.create_conversation(ann)
    events_of(chat.ask(ann, conversation.id, "How often do backups run?"))
    events_of(chat.ask(ann, conversation.id, "And how long are they kept?"))
    assert searches[0] == "How often do backups run?"
    assert "backups" in searches[1] and searches[1].startswith("And how long are they kept?")


def test_a_follow_up_the_previous_topic_dilutes_is_answered_from_its_own_words(people, searches):
    ann, _, _ = people
    conversation = conversations.create_conversation(ann)
    events_of(chat.ask(ann, conversation.id, "Where is the dress code policy for visitors?"))
    done = events_of(chat.ask(ann, conversation.id, "And who restores a backup?"))[-1].data
    assert "dress" in searches[1]  # the carried topic: restore and backup are 2 of 6 terms
    assert searches[2] == "And who restores a backup?"
    assert done["mode"] == "extractive"
    assert [s["document_name"] for s in done["sources"]][0] == "doc1.md"


def test_with_a_model_the_follow_up_and_history_go_to_the_model(people, searches):
    ann, _, _ = people
    model = FakeChatModel(delay=0)
    use_model(model)
    conversation = conversations.create_conversation(ann)
    events_of(chat.ask(ann, conversation.id, "How often do backups run?"))
    events_of(chat.ask(ann, conversation.id, "Is it nightly?"))
    assert searches[1] == "Is it nightly? (How often do backups run?)"
    answer_prompt = model.calls[-1]
    assert [m["role"] for m in answer_prompt] == ["system", "user", "assistant", "user"]
    assert "[1]" not in answer_prompt[2]["content"]  # old markers are not shown again


def test_regenerate_replaces_the_last_answer(people, searches):
    ann, _, _ = people
    conversation = conversations.create_conversation(ann)
    first = events_of(chat.ask(ann, conversation.id, "How often do backups run?"))[-1].data
    use_model(FakeChatModel(delay=0))
    again = events_of(chat.regenerate(ann, conversation.id))[-1].data
    messages = conversations.list_messages(ann, conversation.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[-1].id == again["message_id"] != first["message_id"]
    assert messages[-1].mode == "llm"


def test_feedback_is_stored_on_answers_only_and_validated(people, searches):
    ann, bob, _ = people
    conversation = conversations.create_conversation(ann)
    done = events_of(chat.ask(ann, conversation.id, "backups"))[-1].data
    question = conversations.list_messages(ann, conversation.id)[0]
    rated = conversations.rate_message(ann, done["message_id"], -1, "  Missed the retention.  ")
    assert (rated.rating, rated.feedback) == (-1, "Missed the retention.")
    for bad in (
        lambda: conversations.rate_message(ann, done["message_id"], 2),
        lambda: conversations.rate_message(ann, done["message_id"], 1, "x" * 2001),
        lambda: conversations.rate_message(ann, question.id, 1),
    ):
        with pytest.raises(ChatInputError):
            bad()
    with pytest.raises(PermissionDenied, match="Conversation not found."):
        conversations.rate_message(bob, done["message_id"], 1)
    stored = conversations.list_messages(ann, conversation.id)[-1]
    assert (stored.rating, stored.feedback) == (-1, "Missed the retention.")


def test_far_neighbours_from_the_meaning_search_are_not_an_answer(people, monkeypatch):
    ann, _, _ = people
    canteen = Passage("c", "d", "d.md", "kb", "Ops", "text/markdown", CORPUS[2], 1.0, semantic=True)
    monkeypatch.setattr(chat, "search_passages", lambda user, query, kb_ids, graph=None: [canteen])
    model = FakeChatModel(delay=0)
    use_model(model)
    conversation = conversations.create_conversation(ann)
    done = events_of(chat.ask(ann, conversation.id, "zebra migration patterns"))[-1].data
    assert (done["mode"], done["sources"], model.calls) == ("no_answer", [], [])


def test_deleting_the_conversation_mid_answer_ends_the_stream_quietly(people, searches):
    ann, _, _ = people
    use_model(FakeChatModel(delay=0))
    conversation = conversations.create_conversation(ann)
    events = chat.ask(ann, conversation.id, "backups")
    kinds = []
    for event in events:
        kinds.append(event.kind)
        if kinds.count("token") == 2:
            conversations.delete_conversation(ann, conversation.id)
    assert kinds[-1] == "done" and "error" not in kinds
    assert conversations.list_conversations(ann).conversations == []


def test_a_broken_search_is_a_plain_error_and_a_stored_error(people, monkeypatch):
    ann, _, _ = people

    def broken(user, query, kb_ids, graph=None):
        raise ConnectionError("qdrant at 10.0.0.5:6334 refused")

    monkeypatch.setattr(chat, "search_passages", broken)
    conversation = conversations.create_conversation(ann)
    error = events_of(chat.ask(ann, conversation.id, "backups"))[-1]
    assert error.kind == "error" and error.data["message"] == chat.SEARCH_FAILED
    stored = conversations.list_messages(ann, conversation.id)[-1]
    assert stored.status == "error" and "10.0.0.5" not in stored.content


class WordyModel(FakeChatModel):
    """Writes one word per token until its budget runs out, as a long-winded model would."""

    def stream(self, messages, *, max_tokens=800, temperature=0.1):
        self.calls.append(list(messages))
        yield from ["Backups run nightly [1]. "] + ["more "] * (max_tokens - 4)


def test_the_kbs_answer_preset_sets_how_long_an_answer_may_be(people, monkeypatch):
    ann, _, kb_id = people
    hit = Passage("c", "d", "d.md", kb_id, "Ops", "text/markdown", CORPUS[0], 1.0, relevance=0.9)
    monkeypatch.setattr(chat, "search_passages", lambda user, query, kb_ids, graph=None: [hit])
    use_model(WordyModel(delay=0))
    words = {}
    for preset in ("concise", "balanced", "detailed"):
        with transaction() as session:
            kb = session.get(KnowledgeBase, kb_id)
            kb.settings = {**kb.settings, "answer_preset": preset}
            session.add(kb)
        conversation = conversations.create_conversation(ann)
        done = events_of(chat.ask(ann, conversation.id, "When do backups run?"))[-1]
        assert done.kind == "done" and done.data["content"].startswith("Backups run nightly [1].")
        words[preset] = len(done.data["content"].split())
    assert words["concise"] < words["balanced"] < words["detailed"]


def test_a_kb_with_its_own_chat_model_answers_with_it_while_the_registry_has_no_default(
    people, monkeypatch
):
    ann, _, kb_id = people
    monkeypatch.setenv("LUMIKB_ENV", "test")  # fake/ models are built under test only
    reset_container()
    instant = register(ModelKind.chat, "fake/instant")
    kb_config.update_settings(ann, kb_id, {"chat_model": f"  {instant}  "})
    assert KbSettings.model_validate(_kb(kb_id).settings).chat_model == instant

    def passages_from(kb):
        def search(user, query, kb_ids, graph=None):
            return [
                Passage(
                    "c1", "d1", "backups.md", kb, "Ops", "text/markdown", CORPUS[0], 1.0,
                    relevance=0.9,
                )
            ]  # fmt: skip

        return search

    use_model(None)
    monkeypatch.setattr(chat, "search_passages", passages_from(kb_id))
    conversation = conversations.create_conversation(ann)
    assert events_of(chat.ask(ann, conversation.id, "backups run"))[-1].data["mode"] == "llm"
    monkeypatch.setattr(chat, "search_passages", passages_from("another-kb"))
    assert events_of(chat.ask(ann, conversation.id, "backups run"))[-1].data["mode"] == "extractive"


def _kb(kb_id):
    with get_container().db.session() as session:
        return session.get(KnowledgeBase, kb_id)


def _chat_observed(stage: str) -> float:
    name = "lumikb_chat_stage_seconds_count"
    return REGISTRY.get_sample_value(name, {"stage": stage}) or 0.0


def test_an_answer_observes_each_of_its_stages_even_when_closed_early(people, searches):
    ann, _, _ = people
    use_model(FakeChatModel(delay=0))
    stages = ("retrieve", "first_token", "answer", "total")
    before = {stage: _chat_observed(stage) for stage in stages}
    events_of(chat.ask(ann, conversations.create_conversation(ann).id, "backups restore"))
    assert {s: _chat_observed(s) - before[s] for s in stages} == dict.fromkeys(stages, 1.0)

    events = chat.ask(ann, conversations.create_conversation(ann).id, "backups")
    next(event for event in events if event.kind == "token")
    events.close()  # the reader went away after the first token
    assert {s: _chat_observed(s) - before[s] for s in stages} == dict.fromkeys(stages, 2.0)
