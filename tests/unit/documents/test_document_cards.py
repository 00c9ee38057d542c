"""What is indexed: each passage under its headings, and the card that sums up the document."""

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.db.tables import Chunk, Document
from lumikb_app.services.documents import indexing

pytestmark = pytest.mark.unit

PEP_HEADER = (
    "PEP: 234\nTitle: Iterators\nAuthor: Ka-Ping Yee\nStatus: Final\nType: Standards Track\n"
    "Created: 30-Jan-2001"
)


def _doc(**fields) -> Document:
    return Document(id="d1", kb_id="kb1", name="pep-0234.rst", version=3, **fields)


def _chunks(*texts: str) -> list[Chunk]:
    return [
        Chunk(id=f"c{i}", document_id="d1", kb_id="kb1", ordinal=i, text=t, char_start=0,
              char_end=len(t))
        for i, t in enumerate(texts)
    ]  # fmt: skip


def test_the_card_is_the_title_and_opening_words_without_the_metadata_header():
    chunks = _chunks(PEP_HEADER, "Abstract\n\nThis document proposes an iteration interface.")
    text = indexing.card_text(_doc(title="Iterators"), chunks, "Iterators")
    assert text == "Iterators\n\nAbstract This document proposes an iteration interface."
    assert indexing.card_chunk(chunks).id == "c1"


def test_the_card_stops_after_its_word_budget_and_falls_back_to_the_file_name():
    long = " ".join(f"w{i}" for i in range(indexing.CARD_WORDS + 50))
    text = indexing.card_text(_doc(), _chunks(long, "never reached"), None)
    title, body = text.split("\n\n")
    assert title == "pep-0234.rst" and len(body.split()) == indexing.CARD_WORDS
    assert "never" not in body


def test_a_document_of_only_metadata_still_has_a_card_chunk():
    chunks = _chunks(PEP_HEADER)
    assert indexing.card_chunk(chunks).id == "c0"
    assert indexing.card_text(_doc(title="Iterators"), chunks, "Iterators") == "Iterators\n\n"


def test_a_prose_paragraph_with_a_colon_is_not_metadata():
    prose = "Note: this is a rewrite.\nThe iterator protocol is simple.\nIt has two methods."
    assert indexing.card_chunk(_chunks(prose)).id == "c0"
    assert "rewrite" in indexing.card_text(_doc(), _chunks(prose), "T")


def test_the_card_point_has_a_stable_id_and_points_at_its_chunk():
    chunks = _chunks(PEP_HEADER, "Abstract text.")
    point = indexing.card_point(_doc(), chunks, [1.0, 0.0], "Iterators")
    again = indexing.card_point(_doc(), chunks, [0.0, 1.0], "Iterators")
    assert point.id == again.id
    assert point.id not in {indexing.point_id("d1", 3, i) for i in range(2)}
    assert point.payload == {"kb_id": "kb1", "document_id": "d1", "chunk_id": "c1", "version": 3}


def test_cards_live_in_their_own_collection_per_model():
    embedder = FakeEmbedder(64)
    assert indexing.collection_for(embedder) == "chunks-fake-hash-64-64"
    assert indexing.card_collection_for(embedder) == "cards-fake-hash-64-64"


def test_a_passage_is_embedded_under_the_title_and_its_headings():
    passage = Chunk(text="Use 4 spaces.", heading_path=["Code Lay-out", "Indentation"])

    assert indexing.embed_text(_doc(), passage, "PEP 8") == (
        "PEP 8 > Code Lay-out > Indentation\n\nUse 4 spaces."
    )
    bare = Chunk(text="Text.", heading_path=[])
    assert indexing.embed_text(_doc(), bare, None) == "pep-0234.rst\n\nText."  # no title
