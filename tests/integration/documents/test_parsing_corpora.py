"""Every shared sample PDF and DOCX parses to text or fails with a clear reason; so do bad files.

Files are detected and parsed the way the ingestion job does it: ``detect_type`` on the first
bytes and the upload name, then ``parse``. The outcome of each sample that cannot be indexed
is pinned below, so a change of library or heuristic that changes one shows up here.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from lumikb_app.services.documents.chunking import chunk
from lumikb_app.services.documents.parsing import (
    DOCX,
    HEAD_BYTES,
    PDF,
    ParseError,
    detect_type,
    parse,
)
from tests.conftest import CORPORA
from tests.unit.documents.test_parsing import PNG_BYTES, make_zip_bomb

pytestmark = pytest.mark.integration

PDF_SAMPLES = CORPORA / "pdf-samples"
DOCX_SAMPLES = CORPORA / "docx-samples"

PASSWORD = "This PDF is password-protected."
SCANNED = "This PDF is a scan without a text layer (no OCR is available)."
DAMAGED = "The file is damaged or truncated and cannot be read."
NO_TEXT = "The document contains no text."
EMPTY = "The file is empty."
ZIP_BOMB = "The DOCX file is too large when unpacked (possible zip bomb)."

EXPECTED_FAILURES = {
    "005-libreoffice-writer-password/libreoffice-writer-password.pdf": PASSWORD,
    "007-imagemagick-images/imagemagick-ASCII85Decode.pdf": SCANNED,
    "007-imagemagick-images/imagemagick-CCITTFaxDecode.pdf": SCANNED,
    "007-imagemagick-images/imagemagick-images.pdf": SCANNED,
    "007-imagemagick-images/imagemagick-lzw.pdf": SCANNED,
    "017-unreadable-meta-data/unreadablemetadata.pdf": DAMAGED,  # its page tree object is missing
    "019-grayscale-image/grayscale-image.pdf": SCANNED,
    "023-cmyk-image/cmyk-image.pdf": SCANNED,
    # python-docx's own fixtures: empty bodies, empty tables, images only
    **dict.fromkeys(
        [
            "blk-containing-table.docx",
            "doc-coreprops.docx",
            "doc-default.docx",
            "doc-no-coreprops.docx",
            "doc-word-default-blank.docx",
            "having-images.docx",
            "set-no-settings-part.docx",
            "shp-inline-shape-access.docx",
            "sty-behav-props.docx",
            "sty-having-no-styles-part.docx",
            "sty-having-styles-part.docx",
            "tbl-2x2-table.docx",
            "tbl-col-props.docx",
            "tbl-having-tables.docx",
            "tbl-on-off-props.docx",
        ],  # fmt: skip
        NO_TEXT,
    ),
}


def samples() -> list[tuple[Path, str]]:
    pdfs = [(path, PDF) for path in sorted(PDF_SAMPLES.rglob("*.pdf"))]
    docxs = [(path, DOCX) for path in sorted(DOCX_SAMPLES.glob("*.docx"))]
    return pdfs + docxs


def sample_id(sample: tuple[Path, str]) -> str:
    return sample[0].name


def key(path: Path) -> str:
    root = PDF_SAMPLES if path.is_relative_to(PDF_SAMPLES) else DOCX_SAMPLES
    return path.relative_to(root).as_posix()


def detect_and_parse(path: Path, upload_name: str | None = None):
    with path.open("rb") as handle:
        mime_type = detect_type(handle.read(HEAD_BYTES), upload_name or path.name)
    return mime_type, parse(path, mime_type)


def test_the_corpora_are_there():
    assert len(list(PDF_SAMPLES.rglob("*.pdf"))) >= 26
    assert len(list(DOCX_SAMPLES.glob("*.docx"))) >= 40


@pytest.mark.parametrize("sample", samples(), ids=sample_id)
def test_each_sample_parses_or_fails_with_its_reason(sample):
    path, expected_type = sample
    expected_failure = EXPECTED_FAILURES.get(key(path))
    try:
        mime_type, document = detect_and_parse(path)
    except ParseError as error:
        assert error.reason == expected_failure, f"{key(path)}: {error.reason}"
        return
    assert expected_failure is None, f"{key(path)} parsed but should fail: {expected_failure}"
    assert mime_type == expected_type and document.mime_type == expected_type
    assert document.full_text.strip()
    check_chunks(document)


def check_chunks(document) -> None:
    chunks = chunk(document)
    assert chunks
    for piece in chunks:
        assert document.full_text[piece.char_start : piece.char_end] == piece.text
        assert piece.token_count <= 300
        if document.page_count is not None:
            assert 1 <= piece.page_start <= piece.page_end <= document.page_count


def test_the_password_protected_pdf_says_so():
    with pytest.raises(ParseError) as caught:
        detect_and_parse(
            PDF_SAMPLES / "005-libreoffice-writer-password" / "libreoffice-writer-password.pdf"
        )
    assert caught.value.reason == PASSWORD


def test_a_long_pdf_keeps_its_pages_and_outline_headings():
    _, document = detect_and_parse(PDF_SAMPLES / "009-pdflatex-geotopo" / "GeoTopo-komprimiert.pdf")
    assert document.page_count == 117
    assert {block.page for block in document.blocks} >= set(range(5, 117))
    paths = {block.heading_path for block in document.blocks}
    assert ("1 Topologische Grundbegriffe", "1.3 Stetigkeit") in paths
    check_chunks(document)


def test_a_multi_page_pdf_gives_chunks_with_page_ranges():
    _, document = detect_and_parse(PDF_SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf")
    chunks = chunk(document)
    assert document.page_count == 4
    assert chunks[0].page_start == 1 and chunks[-1].page_end == 4
    assert {c.page_start for c in chunks} == {1, 2, 3, 4}


# -- generated bad files, detected and parsed as an upload would be ------------------------


def test_zero_bytes(tmp_path):
    path = tmp_path / "nothing.pdf"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match=EMPTY):
        detect_and_parse(path)


def test_a_truncated_pdf(tmp_path):
    data = (PDF_SAMPLES / "004-pdflatex-4-pages" / "pdflatex-4-pages.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match=DAMAGED):
        detect_and_parse(path)


def test_random_bytes_named_pdf(tmp_path):
    path = tmp_path / "random.pdf"
    path.write_bytes(random.Random(6).randbytes(50_000))
    with pytest.raises(ParseError) as caught:
        detect_and_parse(path)
    assert caught.value.reason == "This file type is not supported: data in an unknown format."


def test_a_docx_zip_bomb(tmp_path):
    with pytest.raises(ParseError) as caught:
        detect_and_parse(make_zip_bomb(tmp_path / "bomb.docx"))
    assert caught.value.reason == ZIP_BOMB


def test_a_png_renamed_txt(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(PNG_BYTES + bytes(2000))
    with pytest.raises(ParseError, match="not supported: a PNG image"):
        detect_and_parse(path)


def test_misnamed_samples_are_read_by_their_content(tmp_path):
    docx_as_pdf = tmp_path / "report.pdf"
    shutil.copyfile(DOCX_SAMPLES / "par-known-paragraphs.docx", docx_as_pdf)
    mime_type, document = detect_and_parse(docx_as_pdf)
    assert mime_type == DOCX and document.full_text
    pdf_as_txt = tmp_path / "notes.txt"
    shutil.copyfile(PDF_SAMPLES / "001-trivial" / "minimal-document.pdf", pdf_as_txt)
    mime_type, document = detect_and_parse(pdf_as_txt)
    assert mime_type == PDF and document.page_count == 1
