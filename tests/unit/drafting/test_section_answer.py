"""One section's answer with retrieval faked at chat's search seam: not covered, citations
checked as chat checks them, the extractive note, the model's brief."""

from __future__ import annotations

import re

import pytest

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, NOT_COVERED_TEXT
from lumikb_app.domain.enums import SystemRole
from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.chat import chat
from lumikb_app.services.drafting.section_answer import (
    SectionBrief,
    SectionFailed,
    SectionWriter,
    write_section,
)
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.services.retrieval.terms import key_terms
from tests.model_registry import answer_with

pytestmark = pytest.mark.unit

CORPUS = [
    "Backups run every night at two in the morning. They are kept for thirty days in the vault.",
    "Restoring a backup takes about an hour. Ask the on-call engineer to restore one.",
    "The canteen serves lunch from noon. Coffee is free on Fridays.",
]


def passage(i: int, text: str, relevance: float) -> Passage:
    return Passage(
        f"chunk{i}", f"doc{i}", f"doc{i}.md", "kb", "Ops", "text/markdown", text,
        relevance, page_start=i + 1, semantic=True, keyword=True, relevance=relevance,
    )  # fmt: skip


@pytest.fixture
def user(migrated, monkeypatch):
    def fake_search(user, query, kb_ids, graph=None):
        wanted = set(key_terms(query))
        hits = [(len(wanted & set(key_terms(t))), i, t) for i, t in enumerate(CORPUS)]
        return [passage(i, t, n / len(wanted)) for n, i, t in sorted(hits, reverse=True) if n]

    monkeypatch.setattr(chat, "search_passages", fake_search)
    with transaction() as session:
        return create_user(
            session, email="ann@example.com", display_name="Ann",
            password="long enough pw", role=SystemRole.member,
        )  # fmt: skip


def brief(question: str, **more) -> SectionBrief:
    return SectionBrief(question=question, kb_ids=["kb"], **more)


def test_a_question_the_sources_do_not_answer_is_not_covered_never_guessed(user):
    answer_with(FakeChatModel(delay=0))
    answer = write_section(user, brief("Which vendors supply our office furniture?"))
    assert (answer.content, answer.mode) == (NOT_COVERED_TEXT, "not_covered")
    assert (answer.sources, answer.confidence) == ([], 0.0)


def test_every_marker_of_a_written_answer_names_a_cited_source_numbered_in_order(user):
    answer_with(FakeChatModel(delay=0))  # it also cites a source that does not exist
    answer = write_section(user, brief("How long are backups kept in the vault?"))
    assert answer.mode == "llm"
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.content)]
    assert markers and sorted(set(markers)) == [s["n"] for s in answer.sources]
    assert markers[0] == 1  # renumbered by first use, as chat does
    assert all(s["chunk_id"].startswith("chunk") for s in answer.sources)
    assert "also noted elsewhere." in answer.content  # the invented [n] was dropped
    assert 0 < answer.confidence <= 1


def test_extractive_sections_quote_with_citations_and_say_so_once(user):
    answer_with(None)
    answer = write_section(user, brief("How long are backups kept in the vault?"))
    assert answer.mode == "extractive"
    body, note = answer.content.rsplit("\n\n", 1)
    assert note == EXTRACTIVE_NOTE and answer.content.count(EXTRACTIVE_NOTE) == 1
    assert "They are kept for thirty days in the vault. [1]" in body
    assert answer.sources[0]["chunk_id"] == "chunk0"


def test_streamed_pieces_add_up_to_the_answer(user):
    answer_with(FakeChatModel(delay=0))
    writer = SectionWriter(user, brief("How long are backups kept in the vault?"))
    assert "".join(writer.pieces()) == writer.answer.content == writer.text


class Uncited(FakeChatModel):
    def answer(self, messages):
        return "Backups are probably kept for a year, as is usual."


def test_an_answer_that_cites_nothing_is_not_covered(user):
    answer_with(Uncited(delay=0))
    answer = write_section(user, brief("How long are backups kept in the vault?"))
    assert (answer.content, answer.mode, answer.sources) == (NOT_COVERED_TEXT, "not_covered", [])


def test_the_model_gets_the_tone_the_section_brief_and_the_extra_instruction(user):
    model = FakeChatModel(delay=0)
    answer_with(model)
    write_section(
        user,
        brief(
            "How long are backups kept in the vault?", instruction="Mention the vault.",
            extra="Use one sentence.", tone="formal", answer_length="short",
        ),
    )  # fmt: skip
    system = model.calls[-1][0]["content"]
    assert "formal register" in system and "two or three sentences" in system
    assert "Mention the vault." in system and "Use one sentence." in system


def test_the_fake_model_writes_another_version_when_a_person_asks_for_one(user):
    """The e2e journeys regenerate a section with an instruction under the fake model: the fake
    reads the instruction where the service puts it, so the new version really differs."""
    answer_with(FakeChatModel(delay=0))
    question = "How long are backups kept and how long does a restore take?"
    first = write_section(user, brief(question))
    again = write_section(user, brief(question, extra="One sentence only."))
    assert first.content.count("[") == 2
    assert again.content.count("[") == 1 and again.content != first.content


def test_a_failing_model_fails_the_section_with_a_reason(user):
    answer_with(FakeChatModel(delay=0, fail=True))
    with pytest.raises(SectionFailed, match="dropped the connection"):
        write_section(user, brief("How long are backups kept in the vault?"))


def test_a_question_asking_two_things_is_answered_from_both_parts_when_both_are_covered(user):
    answer_with(None)
    answer = write_section(user, brief("When do backups run, and what does the canteen serve?"))
    assert answer.mode == "extractive"
    assert {s["chunk_id"] for s in answer.sources} == {"chunk0", "chunk2"}
    assert "two in the morning" in answer.content and "lunch from noon" in answer.content

    half = write_section(user, brief("When do backups run, and which vendors supply chairs?"))
    assert (half.content, half.mode) == (NOT_COVERED_TEXT, "not_covered")


def test_a_template_heading_is_searched_with_what_the_draft_is_about(user):
    answer_with(None)
    alone = write_section(user, brief("Retention"))
    assert alone.mode == "not_covered"
    about = write_section(user, brief("Retention", topic="how long backups are kept in the vault"))
    assert about.mode == "extractive" and about.sources[0]["chunk_id"] == "chunk0"


JUNK = "The Dose-3D project aims to improve cancer radiotherapy with precise dose planning."


def test_a_passage_of_tiny_relevance_is_never_offered_as_a_source(user, monkeypatch):
    found = [passage(0, CORPUS[0], 0.8), passage(5, JUNK, 0.03), passage(1, CORPUS[1], 0.12)]
    monkeypatch.setattr(chat, "search_passages", lambda *args: found)
    answer_with(FakeChatModel(delay=0))  # it cites the first two sources it is given
    answer = write_section(user, brief("How long are backups kept in the vault?"))
    assert [s["chunk_id"] for s in answer.sources] == ["chunk0"]
    assert "Dose-3D" not in answer.content and "[2]" not in answer.content


def test_the_passage_that_made_a_question_answerable_is_kept_however_low_its_relevance(
    user, monkeypatch
):
    weak = passage(0, CORPUS[0], 0.08)  # all the question's words, far in meaning
    monkeypatch.setattr(chat, "search_passages", lambda *args: [weak, passage(5, JUNK, 0.03)])
    answer_with(None)
    answer = write_section(user, brief("How long are backups kept in the vault?"))
    assert answer.mode == "extractive"
    assert [s["chunk_id"] for s in answer.sources] == ["chunk0"]


def test_the_most_relevant_passage_is_the_first_source(user, monkeypatch):
    found = [passage(1, CORPUS[1], 0.29), passage(0, CORPUS[0], 0.83)]  # fused rank disagrees
    monkeypatch.setattr(chat, "search_passages", lambda *args: found)
    answer_with(FakeChatModel(delay=0))
    answer = write_section(user, brief("How long are backups kept in the vault?"))
    assert answer.sources[0]["chunk_id"] == "chunk0"
    assert answer.content.startswith("Backups run every night")


def test_a_broad_question_is_answered_by_the_example_it_gives(user):
    answer_with(None)
    broad = "Which rules does the office follow in general?"
    assert write_section(user, brief(broad)).mode == "not_covered"
    answer = write_section(user, brief(f"{broad[:-1]} (for example, on coffee on Fridays)?"))
    assert answer.mode == "extractive" and "Coffee is free on Fridays. [1]" in answer.content
    assert answer.sources[0]["chunk_id"] == "chunk2"
