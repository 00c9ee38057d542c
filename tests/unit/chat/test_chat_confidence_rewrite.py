"""Confidence from retrieval and citations; follow-up questions rewritten for retrieval."""

import pytest

from lumikb_app.adapters.fake_chat import FakeChatModel
from lumikb_app.domain.retrieval import Passage
from lumikb_app.ports.llm import LlmError
from lumikb_app.services.chat.chat import clip_query
from lumikb_app.services.chat.confidence import answerable, citation_coverage, confidence
from lumikb_app.services.chat.question_rewrite import heuristic_rewrite, rewrite

pytestmark = pytest.mark.unit


def passage(text, score=0.02, semantic=True, keyword=True, relevance=0.9):
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
        relevance=relevance,
    )


def test_coverage_is_the_share_of_cited_sentences():
    assert citation_coverage("Backups run nightly. [1] They are kept thirty days [2].") == 1.0
    assert citation_coverage("Backups run nightly [1]. Nobody knows how long they stay.") == 0.5
    assert citation_coverage("I am not sure about any of this.") == 0.0


def test_confidence_rises_with_relevant_passages_and_citations():
    good = [passage("backups run nightly at two")] * 3
    weak = [passage("the canteen serves lunch", semantic=False, keyword=False, relevance=0.1)] * 3
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


class ScriptedModel(FakeChatModel):
    """Answers every rewrite request with `reply` (or fails), and keeps what it was sent."""

    def __init__(self, reply: str = "", *, down: bool = False):
        super().__init__(delay=0)
        self.reply, self.down = reply, down

    def complete(self, messages, **kwargs):
        self.calls.append(list(messages))
        if self.down:
            raise LlmError("down")
        return self.reply


HISTORY = [
    {"role": "user", "content": "where are vectors stored"},
    {"role": "assistant", "content": "In Qdrant."},
]


def test_with_a_model_the_search_uses_its_standalone_query():
    model = ScriptedModel('Query: "Qdrant vector search speed"\nI hope that helps.')
    assert rewrite("is it fast?", HISTORY, "where are vectors stored", model) == (
        "Qdrant vector search speed"
    )
    sent = " ".join(message["content"] for message in model.calls[-1])
    assert "is it fast?" in sent and "where are vectors stored" in sent and "In Qdrant." in sent


def test_the_first_question_is_searched_as_asked_without_asking_the_model():
    model = ScriptedModel("something else entirely")
    assert rewrite("is it fast?", [], None, model) == "is it fast?"
    assert model.calls == []


@pytest.mark.parametrize(
    "model",
    [ScriptedModel(down=True), ScriptedModel(""), ScriptedModel("x" * 501)],
    ids=["model fails", "empty reply", "reply too long"],
)
def test_without_a_usable_reply_the_follow_up_gets_the_previous_topic(model):
    expected = heuristic_rewrite("is it fast?", "where are vectors stored")
    assert expected != "is it fast?"  # the heuristic does add the previous topic
    assert rewrite("is it fast?", HISTORY, "where are vectors stored", model) == expected


def test_passages_without_the_question_words_cannot_answer_it():
    near = [passage("the canteen serves lunch from noon"), passage("backups run nightly")]
    assert answerable("when do backups run", near)
    assert not answerable("zebra migration patterns", near)
    assert not answerable("capital of france", [passage("write constants in capital letters")])
    assert answerable("backups?", near)
    assert not answerable("backup rotation policy for tapes", near)  # 1 of 4 terms


def test_a_top_passage_of_low_relevance_is_not_an_answer_whatever_its_rank():
    # "zzzqqq xylophone": the nearest passages share words by chance and rank first anyway
    chance = [passage("backups run nightly at two", score=1.0, relevance=0.12)] * 3
    assert not answerable("when do backups run", chance)
    assert answerable("when do backups run", [passage("backups run nightly at two")])


def test_a_passage_with_most_of_the_question_words_answers_it_at_low_confidence():
    # Questions naming two PEPs get low cosines from the embedder; the words still answer them.
    question = "What does PEP 526 add to the type hints of PEP 484?"
    far = [passage("PEP 526 adds variable annotations to the type hints of PEP 484", relevance=0.1)]
    assert answerable(question, far)
    assert confidence(question, far, "PEP 526 adds variable annotations [1].") < 0.4
    assert not answerable(question, [passage("type hints in general", relevance=0.1)])


def test_high_confidence_needs_a_relevant_cited_source():
    cited = "Backups run nightly at two [1]."
    question = "when do backups run"
    assert confidence(question, [passage("backups run nightly at two")] * 3, cited) >= 0.7
    unrelated = [passage("backups run nightly at two", score=1.0, relevance=0.2)] * 3
    assert confidence(question, unrelated, cited) < 0.4  # Low, though it ranked first


def test_an_answer_that_announces_what_it_does_not_show_is_not_high_confidence():
    sources = [passage("the line must match the following regular expression")] * 3
    question = "which regular expression must the line match"
    lost = "The line must match the following regular expression: [1]"
    shown = lost + "\n\n```\n^[ \\t\\f]*#.*?coding[:=]\n```"
    assert confidence(question, sources, shown) >= 0.7
    assert confidence(question, sources, lost) < 0.7


def test_a_long_question_is_searched_by_its_start():
    question = "word " * 600
    clipped = clip_query(question, 1000)
    assert len(clipped) <= 1000 and clipped.startswith("word word") and not clipped.endswith(" ")
    assert clip_query("short  question", 1000) == "short question"
