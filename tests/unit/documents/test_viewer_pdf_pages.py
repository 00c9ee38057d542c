"""services.pdf_pages: the passage's boxes sit on the lines that print it, on the right page."""

from __future__ import annotations

import zlib

import pytest

from lumikb_app.services.documents import pdf_pages
from lumikb_app.services.documents.parsing import PDF, parse
from tests.pdf_factory import HANDBOOK_PAGES, handbook_pdf, make_pdf

pytestmark = pytest.mark.unit

PAGE_HEIGHT = 792  # make_pdf: US Letter, first baseline at y=760, 14 points between lines
FIRST_BASELINE, LEADING = 760, 14


def line_middle_percent(line: int) -> float:
    """Where line ``line`` (0-based) of a make_pdf page sits, from the top, in percent."""
    baseline = FIRST_BASELINE - LEADING * line
    return (PAGE_HEIGHT - baseline - 3) / PAGE_HEIGHT * 100  # glyph middle, 11 pt Helvetica


def middles(boxes) -> list[float]:
    return [box.top + box.height / 2 for box in boxes]


@pytest.fixture
def handbook(tmp_path):
    path = tmp_path / "handbook.pdf"
    path.write_bytes(handbook_pdf())
    return path


def test_a_passage_is_boxed_line_by_line_on_its_page_and_nowhere_else(handbook):
    passage = " ".join(HANDBOOK_PAGES[1][1:3])  # lines 1 and 2 of page 2
    boxes = pdf_pages.passage_boxes(handbook, 2, passage)
    assert len(boxes) == 2
    for middle, line in zip(middles(boxes), (1, 2), strict=True):
        assert middle == pytest.approx(line_middle_percent(line), abs=0.8)
    assert all(box.left == pytest.approx(72 / 612 * 100, abs=1) for box in boxes)
    assert pdf_pages.passage_boxes(handbook, 1, passage) == []
    assert pdf_pages.passage_boxes(handbook, 3, passage) == []


def test_a_passage_running_over_a_page_break_is_boxed_on_both_pages(tmp_path):
    first = [f"Filler line {n} about nothing in particular." for n in range(8)]
    first += ["The deploy window opens at nine in the morning", "and the release manager"]
    second = ["announces the freeze in the team channel.", "Unrelated closing remarks follow here."]
    path = tmp_path / "split.pdf"
    path.write_bytes(make_pdf([first, second]))
    passage = " ".join([*first[-2:], second[0]])
    on_first = pdf_pages.passage_boxes(path, 1, passage)
    on_second = pdf_pages.passage_boxes(path, 2, passage)
    assert middles(on_first) == pytest.approx(
        [line_middle_percent(8), line_middle_percent(9)], abs=0.8
    )
    assert middles(on_second) == pytest.approx([line_middle_percent(0)], abs=0.8)


def test_line_breaks_hyphens_and_spacing_do_not_stop_the_match(tmp_path):
    path = tmp_path / "hyphen.pdf"
    path.write_bytes(
        make_pdf([["Every production deploy is ap-", "proved by the on-call engineer."]])
    )
    boxes = pdf_pages.passage_boxes(
        path, 1, "Every production  deploy is approved\nby the on-call engineer."
    )
    assert len(boxes) == 2


def test_a_passage_that_is_not_printed_on_the_page_gets_no_boxes(handbook):
    assert pdf_pages.passage_boxes(handbook, 2, "Quarterly revenue grew in every region.") == []
    assert pdf_pages.passage_boxes(handbook, 2, "") == []


def test_a_page_renders_to_a_png_of_its_size(handbook):
    png = pdf_pages.render_png(handbook, 1, 2.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1224, 1584)
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    rows = zlib.decompress(png[start : start + length])
    assert len(rows) == height * (1 + 3 * width)  # one filter byte and RGB pixels per row
    assert rows[1 : 1 + 3 * width] == b"\xff" * 3 * width  # the top row is white paper


def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _png_rows(png: bytes) -> bytes:
    start = png.index(b"IDAT") + 4
    return zlib.decompress(png[start : start + int.from_bytes(png[start - 8 : start - 4], "big")])


@pytest.mark.parametrize("side", [4000, 14400])  # 14400 points: the largest page PDF allows
def test_a_huge_page_renders_at_a_lower_scale_within_the_pixel_cap(tmp_path, side):
    path = tmp_path / "poster.pdf"
    path.write_bytes(make_pdf([["A poster with one line of text."]], page_size=(side, side)))
    png = pdf_pages.render_png(path, 1, 3.0)  # 3.0 would be 144 MP, or 1.9 billion pixels
    width, height = _png_size(png)
    assert width == height and width * height <= pdf_pages.MAX_PAGE_PIXELS
    assert width * height > 0.95 * pdf_pages.MAX_PAGE_PIXELS  # as sharp as the cap allows
    assert len(_png_rows(png)) == height * (1 + 3 * width)
    boxes = pdf_pages.passage_boxes(path, 1, "A poster with one line of text.")
    assert len(boxes) == 1 and boxes[0].top < 1  # percent boxes still land on the text


def test_a_page_of_ordinary_size_keeps_the_scale_asked_for(handbook):
    assert _png_size(pdf_pages.render_png(handbook, 1, 3.0)) == (1836, 2376)


def test_on_a_rotated_page_the_boxes_turn_with_the_text(handbook, tmp_path):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(handbook))
    document[1].set_rotation(90)  # shown turned clockwise: lines run top to bottom
    rotated = tmp_path / "rotated.pdf"
    document.save(str(rotated))
    document.close()
    # The passage as the pipeline stores it: PDFium reads a turned page in its own order.
    passage = next(b.text for b in parse(rotated, PDF).blocks if "hardware key" in b.text)
    boxes = pdf_pages.passage_boxes(rotated, 2, passage)
    assert pdf_pages.page_size(rotated, 2) == pytest.approx((792, 612))
    assert len(boxes) == 3  # the paragraph's three printed lines
    for box in boxes:
        assert box.height > 5 * box.width  # each line of text now stands upright
        assert 85 < box.left < 100  # the top of the page is turned to the right edge
