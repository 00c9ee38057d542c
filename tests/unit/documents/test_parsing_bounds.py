"""Input that would keep a parser busy for minutes is bounded before parsing, keeping its text:
HTML nested past MAX_NESTING is read flat, oversized reStructuredText grid tables as literal text."""

from __future__ import annotations

import pytest

from lumikb_app.services.documents.parsing import HTML, RST, html_flat, parse, rst

pytestmark = pytest.mark.unit


def _parsed(tmp_path, name: str, text: str, mime_type: str):
    path = tmp_path / name
    path.write_text(text)
    return parse(path, mime_type)


def test_html_nested_past_the_bound_is_read_as_flat_text(tmp_path):
    depth = 80_000  # lexbor needs 14 s for this tree
    page = (
        "<html><head><title>Deep &amp; narrow</title></head><body>"
        + "<div>" * depth
        + "<p>Deep text</p><h2>Heading</h2><p>More &lt;text&gt;</p>"
        + "</div>" * depth
    )
    assert html_flat.nesting_depth(page) == depth + 1  # the <h2> sits one level deeper
    doc = _parsed(tmp_path, "deep.html", page, HTML)
    assert doc.title == "Deep & narrow"
    assert [b.text for b in doc.blocks] == ["Deep text", "Heading", "More <text>"]


def test_html_within_the_bound_keeps_its_structure(tmp_path):
    nested = "<div>" * 100 + "<h1>Guide</h1><h2>Part</h2><p>Body text.</p>" + "</div>" * 100
    doc = _parsed(tmp_path, "ok.html", f"<html><body>{nested}</body></html>", HTML)
    assert doc.blocks[-1].heading_path == ("Guide", "Part")


def test_tags_inside_comments_and_scripts_and_elements_that_close_themselves_do_not_nest():
    script = "<script>" + "document.write('<div>');" * 2000 + "</script>"
    comment = "<!--" + "<div>" * 2000 + "-->"
    items = "<ul>" + "<li>item" * 2000 + "</ul>"
    assert html_flat.nesting_depth(script + comment + items + "<br><img src=x>") == 1
    assert html_flat.nesting_depth("<div><!-- never closed <div><div>") == 1


def _grid(rows: int, columns: int) -> str:
    border = "+" + "+".join(["-"] * columns) + "+"
    row = "|" + "|".join(["x"] * columns) + "|"
    return "\n".join([border] + [line for _ in range(rows) for line in (row, border)])


def test_a_grid_table_past_the_bounds_is_read_as_literal_text(tmp_path):
    wide = _grid(20, 4_900)  # docutils needs 47 s for this table
    doc = _parsed(tmp_path, "wide.rst", f"Title\n=====\n\nBefore.\n\n{wide}\n\nAfter.\n", RST)
    assert [b.kind for b in doc.blocks] == ["heading", "paragraph", "code", "paragraph"]
    assert doc.blocks[2].text == wide


def test_a_grid_table_within_the_bounds_stays_a_table(tmp_path):
    doc = _parsed(tmp_path, "small.rst", f"Title\n=====\n\n{_grid(3, 3)}\n", RST)
    assert doc.blocks[-1].kind == "table" and doc.blocks[-1].text == "\n".join(["x | x | x"] * 3)


def test_the_grid_area_is_counted_over_the_whole_document():
    table = _grid(200, 50)  # 401 lines x 50 columns: 20,050 each
    source = "\n\n".join([table] * 3)
    bounded = rst.bounded_grid_tables(source)
    assert bounded.count("\n::\n") + bounded.startswith("::") == 1  # the third is literal text
