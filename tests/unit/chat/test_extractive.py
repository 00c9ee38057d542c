"""The no-model answer quotes the sentences that best answer the question."""

import pytest

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.chat.extractive import (
    Pick,
    choose_sentences,
    compose,
    split_sentences,
    word_pieces,
)

pytestmark = pytest.mark.unit


def passage(text: str, n: int = 1) -> Passage:
    return Passage(f"c{n}", f"d{n}", f"doc{n}.md", "kb", "KB", "text/markdown", text, 1 / n)


BACKUPS = passage(
    "# Operations\nThe office opens at nine. Backups run every night at two in the morning. "
    "They are kept for thirty days in the vault. Coffee is free on Fridays for everyone.",
    1,
)
RESTORE = passage(
    "Restoring a backup takes about an hour for the whole database. Ask the on-call engineer "
    "to restore a backup. The canteen serves lunch from noon.",
    2,
)


def test_it_picks_sentences_that_hold_the_question_terms_verbatim():
    picks = choose_sentences("How often do backups run?", [BACKUPS, RESTORE])
    texts = [p.text for p in picks]
    assert texts[0] == "Backups run every night at two in the morning."
    assert "Coffee is free on Fridays for everyone." not in texts
    assert "The canteen serves lunch from noon." not in texts
    assert 1 <= len(picks) <= 4


def test_it_keeps_two_to_four_sentences_and_their_sources():
    picks = choose_sentences("how long to restore a backup", [BACKUPS, RESTORE])
    assert 2 <= len(picks) <= 4
    assert {p.source for p in picks} <= {1, 2}
    assert any(p.source == 2 and p.text.startswith("Restoring a backup") for p in picks)


def test_rank_breaks_ties_between_equally_matching_sentences():
    first = passage("The vault keeps every backup safely.", 1)
    second = passage("The vault keeps every backup safely too.", 2)
    assert choose_sentences("vault backup", [first, second])[0].source == 1


def test_with_no_shared_word_it_quotes_the_top_passage():
    picks = choose_sentences("zebra", [BACKUPS, RESTORE])
    assert len(picks) == 1 and picks[0].source == 1 and "Backups run" in picks[0].text


def test_headings_and_fragments_are_not_sentences():
    assert split_sentences("# Title\nShort.\nA real sentence is here. Another one follows.") == [
        "Short.",
        "A real sentence is here.",
        "Another one follows.",
    ]


def test_list_markers_are_not_quoted_as_part_of_a_sentence():
    text = "- The complete source file uses one encoding.\n2. Then it is declared on line one.\n1.5 million files do."
    assert split_sentences(text) == [
        "The complete source file uses one encoding.",
        "Then it is declared on line one.",
        "1.5 million files do.",
    ]


def test_the_answer_cites_each_sentence_and_streams_back_to_the_same_text():
    picks = choose_sentences("How often do backups run?", [BACKUPS, RESTORE])
    body = compose(picks)
    assert body.startswith("Backups run every night at two in the morning. [1]")
    assert "".join(word_pieces(body)) == body
    assert len(word_pieces(body)) > 5


def test_field_lines_and_titles_are_not_quoted_as_answers():
    pep = passage(
        "PEP: 20\nTitle: The Zen of Python\nThe Zen of Python\nBeautiful is better than ugly.\n"
        "Errors should never pass silently.\nUnless explicitly silenced.",
    )
    picks = choose_sentences("What does the Zen of Python say about errors?", [pep])
    assert [p.text for p in picks] == ["Errors should never pass silently."]


def test_quoted_names_markdown_would_embolden_are_shown_as_code():
    pick = Pick("Classes may set __match_args__ and take *args or **kwargs.", 1, 1.0)
    assert compose([pick]) == (
        "Classes may set `__match_args__` and take `*args` or `**kwargs`. [1]"
    )
    plain = Pick("The max_line_length option stays as it is.", 1, 1.0)
    assert compose([plain]) == "The max_line_length option stays as it is. [1]"
