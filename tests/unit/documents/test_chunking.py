"""The structure-aware chunker: sizes, overlap, sentence boundaries, offsets, pages, headings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lumikb_app.domain.documents import ChunkDraft, ParsedBlock, ParsedDocument
from lumikb_app.services.documents.chunking import (
    approximate_tokens,
    chunk,
    sentence_spans,
)
from lumikb_app.services.documents.parsing import PDF, RST, TEXT, parse
from tests.conftest import CORPORA
from tests.unit.documents.test_parsing import make_pdf

pytestmark = pytest.mark.unit

PEP_8 = CORPORA / "peps" / "pep-0008.rst"


def sentences(count: int, start: int = 0) -> list[str]:
    """Distinct sentences of 9 to 14 approximate tokens each."""
    return [
        f"Sentence number {i} talks about topic {i % 7} and adds {'more ' * (i % 5)}words."
        for i in range(start, start + count)
    ]


def document(*blocks: ParsedBlock, title: str | None = None) -> ParsedDocument:
    return ParsedDocument(list(blocks), page_count=None, title=title, mime_type=TEXT)


def paragraph(text: str, path: tuple[str, ...] = (), page: int | None = None) -> ParsedBlock:
    return ParsedBlock(text, page, path, "paragraph")


def heading(text: str, path: tuple[str, ...]) -> ParsedBlock:
    return ParsedBlock(text, None, path, "heading")


def assert_offsets(doc: ParsedDocument, chunks: list[ChunkDraft]) -> None:
    for piece in chunks:
        assert doc.full_text[piece.char_start : piece.char_end] == piece.text
        assert piece.text == piece.text.strip() and piece.text


def sentence_ends(text: str) -> set[int]:
    return {end for _, end in sentence_spans(text)}


def test_chunks_stay_within_the_token_limit_and_cover_the_text():
    doc = document(*(paragraph(" ".join(sentences(12, start=i * 12))) for i in range(10)))
    chunks = chunk(doc, chunk_tokens=120, overlap_tokens=20)
    assert len(chunks) > 5
    assert all(c.token_count <= 120 for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert chunks[0].char_start == 0 and chunks[-1].char_end == len(doc.full_text)
    assert all(b.char_start <= a.char_end for a, b in zip(chunks, chunks[1:], strict=False))
    assert_offsets(doc, chunks)


def test_token_count_is_measured_by_the_given_counter():
    doc = document(paragraph(" ".join(sentences(30))))
    chunks = chunk(doc, chunk_tokens=400, overlap_tokens=40, count_tokens=len)
    assert all(c.token_count == len(c.text) <= 400 for c in chunks)
    assert approximate_tokens("Hello, world!") == 4
    assert approximate_tokens("internationalization") == 3


def test_consecutive_chunks_overlap_by_whole_sentences():
    text = " ".join(sentences(40))
    doc = document(paragraph(text))
    chunks = chunk(doc, chunk_tokens=100, overlap_tokens=30)
    ends = sentence_ends(text)
    starts = {start for start, _ in sentence_spans(text)}
    for previous, following in zip(chunks, chunks[1:], strict=False):
        assert following.char_start < previous.char_end
        overlap = doc.full_text[following.char_start : previous.char_end]
        assert 0 < approximate_tokens(overlap) <= 30
        assert following.char_start in starts
        assert previous.char_end in ends


def test_long_paragraphs_split_only_at_sentence_ends():
    text = " ".join(sentences(25)) + " Dr. Smith met e.g. Mr. Jones at 3.5 p.m. today. The end!"
    doc = document(paragraph(text))
    chunks = chunk(doc, chunk_tokens=60, overlap_tokens=0)
    ends = sentence_ends(text)
    assert len(chunks) > 3
    assert all(c.char_end in ends for c in chunks)
    assert "Dr. Smith met e.g. Mr. Jones at 3.5 p.m. today." in chunks[-1].text


def test_sentence_spans_know_common_abbreviations():
    text = "See e.g. the docs. Mr. Smith agreed! Is it 3.5? Yes… and no. Fin"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "See e.g. the docs.",
        "Mr. Smith agreed!",
        "Is it 3.5?",
        "Yes… and no.",
        "Fin",
    ]


def test_a_sentence_longer_than_the_limit_is_split_at_word_boundaries():
    words = [f"word{i}" for i in range(400)]
    doc = document(paragraph(" ".join(words) + "."))
    chunks = chunk(doc, chunk_tokens=50, overlap_tokens=10)
    assert len(chunks) > 8
    for piece in chunks:
        assert piece.token_count <= 50
        assert re.fullmatch(r"word\d+( word\d+)*\.?", piece.text)
    assert_offsets(doc, chunks)


def test_a_single_word_longer_than_the_limit_is_cut_into_pieces():
    doc = document(paragraph("start " + "x" * 5000 + " end."))
    chunks = chunk(doc, chunk_tokens=100, overlap_tokens=10)
    assert all(c.token_count <= 100 for c in chunks)
    assert "".join(c.text for c in chunks if c.text.startswith("x")).count("x") >= 4900
    assert_offsets(doc, chunks)


def test_headings_start_new_chunks_and_sections_never_mix():
    doc = document(
        heading("Intro", ("Intro",)),
        paragraph("Short intro.", ("Intro",)),
        heading("Setup", ("Setup",)),
        heading("Linux", ("Setup", "Linux")),
        paragraph("Install the package.", ("Setup", "Linux")),
        heading("Windows", ("Setup", "Windows")),
        paragraph("Run the installer.", ("Setup", "Windows")),
    )
    chunks = chunk(doc)
    assert [(c.text, c.heading_path) for c in chunks] == [
        ("Intro\n\nShort intro.", ("Intro",)),
        ("Setup\n\nLinux\n\nInstall the package.", ("Setup", "Linux")),
        ("Windows\n\nRun the installer.", ("Setup", "Windows")),
    ]
    assert_offsets(doc, chunks)


def test_no_overlap_across_sections():
    first = paragraph(" ".join(sentences(30)), ("A",))
    second = paragraph(" ".join(sentences(30, start=30)), ("B",))
    doc = document(heading("A", ("A",)), first, heading("B", ("B",)), second)
    chunks = chunk(doc, chunk_tokens=80, overlap_tokens=20)
    boundary = next(i for i, c in enumerate(chunks) if c.heading_path == ("B",))
    assert chunks[boundary].text.startswith("B\n\n")
    assert chunks[boundary].char_start >= chunks[boundary - 1].char_end
    assert {c.heading_path for c in chunks[:boundary]} == {("A",)}


def test_lists_tables_and_code_split_at_line_ends():
    rows = "\n".join(f"row {i} | value {i} | note {i}" for i in range(80))
    doc = document(ParsedBlock(rows, None, ("Data",), "table"))
    chunks = chunk(doc, chunk_tokens=60, overlap_tokens=10)
    lines = set(rows.split("\n"))
    for piece in chunks:
        assert piece.token_count <= 60
        assert set(piece.text.split("\n")) <= lines


def test_page_ranges_on_a_multi_page_pdf(tmp_path):
    pages = [
        [f"Page {p} line {i} says something useful here." for i in range(12)] for p in range(1, 5)
    ]
    path = tmp_path / "four.pdf"
    path.write_bytes(make_pdf(pages))
    doc = parse(path, PDF)
    chunks = chunk(doc, chunk_tokens=120, overlap_tokens=20)
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 4
    for piece in chunks:
        shown = {int(n) for n in re.findall(r"Page (\d) line", piece.text)}
        assert piece.page_start == min(shown) and piece.page_end == max(shown)
    assert any(c.page_start != c.page_end for c in chunks)
    assert_offsets(doc, chunks)


def test_pep_8_heading_paths_and_offsets():
    doc = parse(PEP_8, RST)
    chunks = chunk(doc)
    paths = [c.heading_path for c in chunks]
    assert ("Code Lay-out", "Indentation") in paths
    assert ("Naming Conventions", "Descriptive: Naming Styles") in paths
    assert ("Comments", "Block Comments") in paths
    indentation = next(c for c in chunks if c.heading_path == ("Code Lay-out", "Indentation"))
    assert "Use 4 spaces per indentation level." in indentation.text
    assert all(c.token_count <= 300 for c in chunks)
    assert_offsets(doc, chunks)


def test_output_is_deterministic():
    doc = parse(PEP_8, RST)
    assert chunk(doc) == chunk(parse(PEP_8, RST))


def test_empty_documents_and_bad_settings():
    assert chunk(document()) == []
    with pytest.raises(ValueError):
        chunk(document(paragraph("x")), chunk_tokens=50, overlap_tokens=50)


def test_every_chunk_of_real_documents_keeps_the_invariants():
    for path in sorted(Path(PEP_8.parent).glob("pep-00*.rst"))[:15]:
        doc = parse(path, RST)
        chunks = chunk(doc, chunk_tokens=200, overlap_tokens=40)
        assert all(c.token_count <= 200 for c in chunks)
        assert_offsets(doc, chunks)
