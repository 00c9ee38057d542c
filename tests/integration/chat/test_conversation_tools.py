"""What a person does with conversations besides asking, on real stores: a scope of several KBs
(only KBs they may read), search of their own conversations, edit and resend, export as
Markdown with citations, and suggested questions from document titles they may read."""

from __future__ import annotations

import pytest

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.domain.chat import ChatInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.chat import chat, conversations
from lumikb_app.services.chat.chat_suggestions import suggested_questions
from lumikb_app.services.chat.conversation_export import export_markdown
from lumikb_app.services.chat.conversation_tools import (
    drop_from_question,
    search_conversations,
    set_scope,
)
from tests.integration.chat.test_chat_flow import BACKUPS, DEPLOY, SALARIES, run, use_model
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    world = make_world(request, monkeypatch)
    world.ingest(world.kb_a, "backups.md", BACKUPS)
    world.ingest(world.kb_a, "deploy_guide.md", DEPLOY)
    world.ingest(world.kb_b, "salary-bands-2026.md", SALARIES)
    use_model(FakeChatModel(delay=0))
    return world


def _asked(user, question: str, kb_ids=()) -> str:
    conversation = conversations.create_conversation(user, None, list(kb_ids))
    run(chat.ask(user, conversation.id, question))
    return conversation.id


def test_a_scope_of_several_kbs_answers_from_both_and_refuses_one_the_user_may_not_read(world):
    both = conversations.create_conversation(world.admin, None, [world.kb_a, world.kb_b])
    _, done = run(chat.ask(world.admin, both.id, "How are salary bands reviewed?"))
    assert "Finance" in {c["kb_name"] for c in done["citations"]}
    only_a = conversations.create_conversation(world.admin, None, [world.kb_a])
    _, done = run(chat.ask(world.admin, only_a.id, "How are salary bands reviewed?"))
    assert {s["kb_name"] for s in done["sources"]} <= {"Engineering"}

    mine = conversations.create_conversation(world.reader, None, [world.kb_a])
    with pytest.raises(PermissionDenied):
        set_scope(world.reader, mine.id, [world.kb_a, world.kb_b])
    assert conversations.get_conversation(world.reader, mine.id).kb_ids == [world.kb_a]
    with pytest.raises(PermissionDenied):
        conversations.create_conversation(world.reader, None, [world.kb_a, world.kb_b])
    assert set_scope(world.reader, mine.id, []).kb_ids == []
    with pytest.raises(PermissionDenied):  # someone else's conversation
        set_scope(world.outsider, mine.id, [])


def test_conversation_search_finds_title_and_message_words_only_in_the_users_own(world):
    backups = _asked(world.reader, "When do database backups run?")
    deploys = _asked(world.reader, "What happens when a deploy fails?")
    _asked(world.admin, "When do database backups run?")

    by_title = search_conversations(world.reader, "BACKUPS run")
    assert [m.conversation.id for m in by_title] == [backups]
    by_answer = search_conversations(world.reader, "on tuesdays")  # only in the answer's text
    assert deploys in [m.conversation.id for m in by_answer]
    assert len(by_answer) == 2  # both answers quote the deploys page; the admin's is not listed
    assert all("on Tuesdays" in m.snippet for m in by_answer)
    assert search_conversations(world.reader, "100%") == []  # a wildcard is a plain character
    assert search_conversations(world.outsider, "backups") == []
    with pytest.raises(ChatInputError, match="Type some words"):
        search_conversations(world.reader, "   ")
    with pytest.raises(ChatInputError, match="at most"):
        search_conversations(world.reader, "x" * 201)


def test_editing_a_question_drops_it_and_what_followed_and_the_new_one_is_answered(world):
    conversation_id = _asked(world.reader, "When do database backups run?")
    run(chat.ask(world.reader, conversation_id, "How long are backups kept?"))
    messages = conversations.list_messages(world.reader, conversation_id)
    second_question = messages[2]

    with pytest.raises(PermissionDenied):
        drop_from_question(world.outsider, conversation_id, second_question.id)
    with pytest.raises(ChatInputError, match="Only a question"):
        drop_from_question(world.reader, conversation_id, messages[1].id)
    assert len(conversations.list_messages(world.reader, conversation_id)) == 4

    old = drop_from_question(world.reader, conversation_id, second_question.id)
    assert old == "How long are backups kept?"
    run(chat.ask(world.reader, conversation_id, "How long does a restore take?"))
    after = conversations.list_messages(world.reader, conversation_id)
    assert [m.content for m in after if m.role == "user"] == [
        "When do database backups run?",
        "How long does a restore take?",
    ]


def test_export_is_markdown_with_each_turn_and_the_cited_sources(world):
    conversation_id = _asked(world.reader, "When do database backups run?")
    exported = export_markdown(world.reader, conversation_id, "https://kb.example.com/")
    text = exported.markdown
    assert exported.filename == "when-do-database-backups-run.md"
    assert text.startswith("# When do database backups run?\n")
    assert "## Question\n\nWhen do database backups run?" in text
    answer = conversations.list_messages(world.reader, conversation_id)[1]
    assert answer.content.strip() in text
    assert "**Sources**" in text
    assert "- [1] [backups.md](<https://kb.example.com/view/" in text
    assert "— Engineering" in text
    assert "> " in text and "two in the morning" in text
    with pytest.raises(PermissionDenied):
        export_markdown(world.outsider, conversation_id)


def test_suggestions_come_from_titles_of_ready_documents_the_user_may_read(world):
    reader = suggested_questions(world.reader)
    assert len(reader) == 2
    joined = " ".join(reader)
    assert "“backups”" in joined and "“deploy guide”" in joined
    assert "salary" not in joined.lower()
    assert suggested_questions(world.reader, [world.kb_b]) == []  # not theirs: nothing, no error
    assert "salary bands 2026" in " ".join(suggested_questions(world.admin, [world.kb_b]))
    assert suggested_questions(world.outsider) == []
