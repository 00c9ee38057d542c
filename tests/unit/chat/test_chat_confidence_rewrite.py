"""Confidence from retrieval and citations; follow-up questions rewritten for retrieval."""

import pytest

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.domain.retrieval import Passage
from lumikb_app.ports.llm import LlmError
from lumikb_app.services.chat.chat import clip_query
from lumikb_app.services.chat.confidence import answerable, citation_coverage, confidence
from lumikb_app.services.chat.question_rewrite import heuristic_rewrite, rewrite

pytestmark = pytest.mark.unit


def passage(text, score=0.02, semantic=True, keyword=True):
    return Passage(
        "c",
        "d",
        "a.md",
        "kb",
        "KB",
        "text/markdown",
        text,
        score,
        None,
        None,
        0,
        0,
        (),
        None,
        (),
        semantic,
        keyword,
    )


def test_coverage_is_the_share_of_cited_sentences():
    assert citation_coverage("Backups run nightly. [1] They are kept thirty days [2].") == 1.0
    assert citation_coverage("Backups run nightly [1]. Nobody knows how long they stay.") == 0.5
    assert citation_coverage("I am not sure about any of this.") == 0.0


def test_confidence_rises_with_matching_passages_agreement_and_citations():
    good = [passage("backups run nightly at two")] * 3
    weak = [passage("the canteen serves lunch", semantic=True, keyword=False)] * 3
    cited = "Backups run nightly at two [1]."
    high = confidence("when do backups run", good, cited)
    assert high > confidence("when do backups run", weak, cited)
    assert high > confidence("when do backups run", good, "Backups run nightly at two.")
    assert 0.0 <= confidence("when do backups run", weak, "No idea.") < high <= 1.0
    assert confidence("anything", [], "text [1].") == 0.0


def test_a_short_or_pronoun_follow_up_carries_the_previous_topic():
    previous = "How are vector snapshots stored in Qdrant?"
    assert heuristic_rewrite("And how long are they kept?", previous) == (
        "And how long are they kept? vector snapshots stored qdrant"
    )
    assert "snapshots" in heuristic_rewrite("why?", previous)


def test_a_continuation_carries_at_most_four_previous_words():
    previous = "How long should lines be in Python source files?"
    assert heuristic_rewrite("What about docstrings?", previous) == (
        "What about docstrings? long lines python source"
    )
    assert heuristic_rewrite("and comments", previous).startswith("and comments long lines")


def test_a_self_contained_question_is_left_alone():
    previous = "How are vector snapshots stored?"
    for question in (
        "Which port does the PostgreSQL database listen on by default?",
        "How long should lines be?",
        "What is the capital of France?",
    ):
        assert heuristic_rewrite(question, previous) == question
    assert heuristic_rewrite("why?", None) == "why?"


def test_with_a_model_the_rewrite_asks_it_and_falls_back_on_failure():
    history = [
        {"role": "user", "content": "where are vectors stored"},
        {"role": "assistant", "content": "In Qdrant."},
    ]
    model = FakeChatModel(delay=0)
    assert rewrite("is it fast?", history, "where are vectors stored", model) == (
        "is it fast? (where are vectors stored)"
    )
    assert rewrite("is it fast?", [], None, model) == "is it fast?"  # no history: no call

    class Broken(FakeChatModel):
        def complete(self, messages, **kwargs):
            raise LlmError("down")

    assert rewrite("is it fast?", history, "where are vectors stored", Broken()) == (
        "is it fast? vectors stored"
    )


def test_passages_without_the_question_words_cannot_answer_it():
    near = [passage("the canteen serves lunch from noon"), passage("backups run nightly")]
    assert answerable("when do backups run", near)
    assert not answerable("zebra migration patterns", near)
    assert not answerable("capital of france", [passage("write constants in capital letters")])
    assert answerable("backups?", near)
    assert not answerable("backup rotation policy for tapes", near)  # 1 of 4 terms


def test_a_long_question_is_searched_by_its_start():
    question = "word " * 600
    clipped = clip_query(question, 1000)
    assert len(clipped) <= 1000 and clipped.startswith("word word") and not clipped.endswith(" ")
    assert clip_query("short  question", 1000) == "short question"
