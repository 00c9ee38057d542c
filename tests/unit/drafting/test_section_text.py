"""A person's section text on save: bounded, tidy, and citing only the section's sources,
renumbered in order of first use (as chat checks an answer)."""

from __future__ import annotations

import pytest

from lumikb_app.domain.drafting import MAX_SECTION_TEXT, DraftInputError
from lumikb_app.services.drafting.comments import clean_body
from lumikb_app.services.drafting.sections import cited, clean_content


def _sources(*names: str) -> list[dict]:
    return [{"n": n, "document_name": name} for n, name in enumerate(names, start=1)]


def test_markers_are_renumbered_by_first_use_and_uncited_sources_removed():
    text, sources = cited("C first [3]. Then A [1].", _sources("a.md", "b.md", "c.md"))
    assert text == "C first [1]. Then A [2]."
    assert [(s["n"], s["document_name"]) for s in sources] == [(1, "c.md"), (2, "a.md")]


def test_unknown_markers_are_dropped_with_their_space_and_lists_are_split():
    text, sources = cited("Claim [4]. Both [2, 1] and [1,9].", _sources("a.md", "b.md"))
    assert text == "Claim. Both [1][2] and [2]."
    assert [s["document_name"] for s in sources] == ["b.md", "a.md"]


def test_code_blocks_keep_their_brackets_and_text_without_sources_cites_nothing():
    text, sources = cited("```\nitems[1] = 2\n```\nSee [1].", [])
    assert text == "```\nitems[1] = 2\n```\nSee."
    assert sources == []


def test_sources_without_a_number_are_ignored_not_crashed_on():
    text, sources = cited(
        "A [1].", [{"document_name": "x"}, {"n": True}, {"n": 1, "document_name": "a"}]
    )
    assert (text, [s["document_name"] for s in sources]) == ("A [1].", ["a"])


def test_content_is_normalised_and_bounded():
    assert clean_content("  line one\r\nline two\rthree\x00 \n") == "line one\nline two\nthree"
    assert clean_content("x" * MAX_SECTION_TEXT) == "x" * MAX_SECTION_TEXT
    with pytest.raises(
        DraftInputError, match="at most 20,000 characters \\(this one has 20,001\\)"
    ):
        clean_content("x" * (MAX_SECTION_TEXT + 1))
    with pytest.raises(DraftInputError, match="must be text"):
        clean_content(b"bytes")


def test_a_comment_needs_words_and_a_bound():
    assert clean_body("  looks right \r\n") == "looks right"
    for bad in ("", " \n ", None, "x" * 2001):
        with pytest.raises(DraftInputError):
            clean_body(bad)
