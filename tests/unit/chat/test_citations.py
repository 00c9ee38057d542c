"""Citation markers in streamed answers: only sources survive, numbered by first use."""

import pytest

from lumikb_app.domain.retrieval import Passage
from lumikb_app.services.chat.citations import (
    CitationStream,
    ordered_sources,
    source_from_passage,
    verify_text,
)

pytestmark = pytest.mark.unit


def stream_through(pieces, valid):
    stream = CitationStream(valid)
    shown, first_uses = [], []
    for piece in pieces:
        text, cited = stream.feed(piece)
        shown.append(text)
        first_uses.extend(cited)
    text, cited = stream.flush()
    shown.append(text)
    first_uses.extend(cited)
    return "".join(shown), first_uses, shown


def test_a_marker_split_across_pieces_is_kept_whole():
    text, cited, shown = stream_through(["Vectors live in Qdrant [", "1", "]."], {1, 2})
    assert text == "Vectors live in Qdrant [1]."
    assert cited == [1]
    assert not any(part in ("[", "1", " [") for part in shown)  # never half a marker on screen


def test_a_marker_naming_no_source_is_removed_with_its_space():
    text, cited, _ = stream_through(["It is fast [", "9]. It scales [2", "]."], {1, 2})
    assert text == "It is fast. It scales [1]."
    assert cited == [2]


def test_lists_and_runs_of_markers_keep_only_valid_numbers():
    text, _, _ = stream_through(["A [1, 9, 2]. B [3][1]. C [7][8]."], {1, 2, 3})
    assert text == "A [1][2]. B [3][1]. C."


def test_markers_are_renumbered_by_first_use():
    text, cited = verify_text("First [3]. Then [1]. Again [3].", {1, 2, 3})
    assert text == "First [1]. Then [2]. Again [1]."
    assert cited == [3, 1]


def test_brackets_that_are_not_markers_pass_through():
    text, cited = verify_text("See [a note] and the year [2023] and arr[i].", {1})
    assert text == "See [a note] and the year [2023] and arr[i]."
    assert cited == []


def test_an_unfinished_marker_at_the_end_is_dropped():
    text, _, _ = stream_through(["Done [", "2"], {1, 2})
    assert text == "Done"


def test_sources_are_reordered_to_match_the_displayed_numbers():
    sources = [{"n": i, "chunk_id": f"c{i}"} for i in (1, 2, 3)]
    every, cited = ordered_sources(sources, [3, 1])
    assert [(s["n"], s["chunk_id"]) for s in every] == [(1, "c3"), (2, "c1"), (3, "c2")]
    assert [(s["n"], s["chunk_id"]) for s in cited] == [(1, "c3"), (2, "c1")]


def test_a_source_links_to_the_viewer_at_its_page_and_version_with_a_short_preview():
    passage = Passage(
        "ch", "doc", "a.pdf", "kb", "KB", "application/pdf", "x" * 2000, 0.7, 4, version=3
    )
    source = source_from_passage(1, passage)
    assert source["href"] == "/view/doc?chunk=ch&page=4&version=3" and source["version"] == 3
    assert len(source["text"]) <= 800
    no_page = source_from_passage(2, Passage("ch", "doc", "a.md", "kb", "KB", "text/md", "t", 0.1))
    assert no_page["href"] == "/view/doc?chunk=ch&page=&version=1" and no_page["page"] is None


def test_markers_inside_a_code_block_are_code_not_citations():
    stream = CitationStream([1, 2])
    pieces = ["See [2]", " this:\n\n`", "``\nx = a[1] + b [9]\n", "``", "`\n\nDone [1]."]
    shown = "".join(stream.feed(piece)[0] for piece in pieces) + stream.flush()[0]
    assert shown == "See [1] this:\n\n```\nx = a[1] + b [9]\n```\n\nDone [2]."
    assert stream.order == [2, 1]
