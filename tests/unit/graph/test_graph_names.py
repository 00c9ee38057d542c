"""Entity keys: what makes two names one entity."""

from __future__ import annotations

import pytest

from lumikb_app.domain.graph_names import entity_key
from lumikb_app.services.graph.retrieval import query_keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Type hints", "type-hint"),
        ("PEP 8", "pep-0008"),
        ("PEP484", "PEP 484"),
        ("Context Managers", "context manager"),
        ("walrus operator", "assignment expressions"),
        ("  asyncio ", "AsyncIO"),
    ],
)
def test_spellings_of_one_thing_share_a_key(a, b):
    assert entity_key(a) == entity_key(b) != ""


@pytest.mark.parametrize(
    ("a", "b"), [("PEP 8", "PEP 88"), ("os.path", "os"), ("class", "classes method")]
)
def test_different_things_keep_different_keys(a, b):
    assert entity_key(a) != entity_key(b)


def test_words_ending_in_s_that_are_not_plurals_stay():
    assert entity_key("asyncio.gather") == "asyncio.gather"
    assert entity_key("status") == "status"
    assert entity_key("analysis") == "analysis"


@pytest.mark.parametrize("name", ["HTTPS", "NEWS", "setuptools", "types", "Windows"])
def test_acronyms_and_modules_keep_their_final_s(name):
    assert entity_key(name) == name.lower()


def test_nothing_left_gives_an_empty_key():
    assert entity_key("  --- ") == ""


def test_a_question_links_through_its_word_runs_and_pep_numbers():
    keys = query_keys("How does PEP-0484 relate to the walrus operator and type hints?")
    assert "pep 484" in keys
    assert "assignment expression" in keys
    assert "type hint" in keys
    assert "the" not in keys and "how does" not in keys
