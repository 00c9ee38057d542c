"""Real PEPs through the real path (upload, parse, chunk, the built-in embedding model, search,
chat with no language model): answers keep the code they quote, and confidence and relevance
say when the documents do not answer."""

from __future__ import annotations

import pytest

from lumikb_app.db.migrate import upgrade
from lumikb_app.services.chat import chat, conversations
from lumikb_app.services.retrieval import search
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    upload_path,
    wait_until_settled,
    writer_and_kb,
)

pytestmark = pytest.mark.integration

PEPS = ("pep-0263.rst", "pep-0238.rst", "pep-0274.rst", "pep-0308.rst")
RELEASING = (
    "# Releasing\n\nTo cut a release, tag the commit with a signed tag. "
    "The command looks like this:\n\n```bash\ngit tag -s v1.2.3\ngit push origin v1.2.3\n```\n\n"
    "Then wait for CI to publish the wheel to the package index.\n"
)


@pytest.fixture
def user(data_dir):
    upgrade()
    user, kb_id = writer_and_kb("PEPs")
    ids = [upload_path(user, kb_id, CORPORA / "peps" / name).document_id for name in PEPS]
    ids.append(upload_bytes(user, kb_id, "releasing.md", RELEASING.encode()).document_id)
    assert all(d.status == "ready" for d in wait_until_settled(ids).values())
    return user


def ask(user, conversation_id: str, question: str) -> dict:
    events = list(chat.ask(user, conversation_id, question))
    assert events[-1].kind == "done", events[-1]
    return events[-1].data


def test_code_the_answer_needs_is_shown_as_code_with_the_citation_on_its_sentence(user):
    conversation = conversations.create_conversation(user).id
    first = ask(user, conversation, "How do I declare a source file encoding?")
    assert first["mode"] == "extractive"
    assert "# -*- coding: <encoding name> -*-\n```" in first["content"]
    assert "```\n# coding=<encoding name>\n```" in first["content"]
    assert first["confidence"] >= 0.7 and first["citations"][0]["document_name"] == "pep-0263.rst"

    follow_up = ask(user, conversation, "And which regular expression must the line match?")
    regex = "```\n^[ \\t\\f]*#.*?coding[:=][ \\t]*([-_.a-zA-Z0-9]+)\n```"
    assert regex in follow_up["content"]
    assert "regular expression: [1]\n\n" + regex in follow_up["content"]

    release = ask(user, conversation, "How do I tag a release?")
    assert (
        "looks like this: [1]\n\n```\ngit tag -s v1.2.3\ngit push origin v1.2.3\n```"
        in (release["content"])
    )


def test_gibberish_and_unrelated_questions_are_not_covered_and_nothing_looks_relevant(user):
    conversation = conversations.create_conversation(user).id
    for question in ("zzzqqq xylophone", "What is the capital of Australia?"):
        found = search.search(user, question).passages
        assert not any(p.semantic for p in found), question
        assert all(p.relevance < 0.3 for p in found), question
        answer = ask(user, conversation, question)
        assert (answer["mode"], answer["confidence"]) == ("no_answer", 0.0), question

    found = search.search(user, "Is there a comprehension syntax for building dictionaries?")
    best = found.passages[0]
    assert best.document_name == "pep-0274.rst" and best.semantic and best.relevance >= 0.7
    assert best.similarity is not None and 0.5 <= best.similarity <= 1.0
