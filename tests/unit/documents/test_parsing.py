"""Type detection from content, the parser of each format, and the reasons given for bad files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from lumikb_app.domain.documents import ParsedBlock, ParsedDocument
from lumikb_app.services.documents.parsing import (
    BINARY,
    DOCX,
    EMPTY,
    HTML,
    MARKDOWN,
    PDF,
    RST,
    TEXT,
    ParseError,
    detect_path_type,
    detect_type,
    parse,
    type_label,
)
from lumikb_app.services.documents.parsing import docx as docx_parser
from tests.pdf_factory import make_pdf

pytestmark = pytest.mark.unit

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
)
DAMAGED = "The file is damaged or truncated and cannot be read."


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Handbook"
    document.add_paragraph("Team handbook", style="Title")
    document.add_heading("Getting started", level=1)
    document.add_paragraph("Read this first. It explains the basics.")
    document.add_heading("Accounts", level=2)
    document.add_paragraph("Ask IT for a laptop.", style="List Bullet")
    document.add_paragraph("Set up two-factor login.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Name", "Role"), ("Ada", "Engineer")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_heading("Holidays", level=1)
    document.add_paragraph("Book them early.")
    document.save(str(path))
    return path


def make_zip_bomb(path: Path, huge_bytes: int = 64 * 1024 * 1024) -> Path:
    """A DOCX-looking zip whose one media entry inflates from ~64 KB to ``huge_bytes`` zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        with archive.open("word/media/image1.bin", "w", force_zip64=True) as entry:
            block = bytes(1024 * 1024)
            for _ in range(huge_bytes // len(block)):
                entry.write(block)
    return path


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def parse_file(path: Path):
    return parse(path, detect_path_type(path))


# -- the document model ---------------------------------------------------------------------


def test_full_text_joins_blocks_and_spans_point_at_each_block():
    blocks = [ParsedBlock("Intro", kind="heading"), ParsedBlock("Body one."), ParsedBlock("Two.")]
    document = ParsedDocument(blocks, page_count=None, title=None, mime_type=TEXT)
    assert document.full_text == "Intro\n\nBody one.\n\nTwo."
    for span in document.spans:
        assert document.full_text[span.char_start : span.char_end] == span.block.text
    assert [s.char_start for s in document.spans] == [0, 7, 18]


# -- type detection -------------------------------------------------------------------------


def test_a_pdf_named_txt_is_a_pdf():
    assert detect_type(make_pdf([["Hello"]]), "notes.txt") == PDF


def test_a_docx_named_pdf_is_a_docx(tmp_path):
    path = make_docx(tmp_path / "handbook.docx")
    assert detect_type(path.read_bytes(), "report.pdf") == DOCX
    assert detect_type(path.read_bytes()[:4096], "report.pdf") == DOCX


def test_other_office_zips_and_plain_zips_are_not_docx():
    for entry, expected in (("xl/workbook.xml", "spreadsheetml"), ("notes.txt", "application/zip")):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr(entry, "x")
        assert expected in detect_type(buffer.getvalue(), "file.docx")


def test_html_named_md_is_html():
    html = "<!DOCTYPE html>\n<html><head><title>T</title></head><body><p>Hi</p></body></html>"
    assert detect_type(html.encode(), "page.md") == HTML
    assert detect_type(b"<html><body>x</body></html>", "notes.txt") == HTML


def test_the_extension_only_chooses_among_text_types():
    text = b"Title\n=====\n\nSome words.\n"
    assert detect_type(text, "a.md") == MARKDOWN
    assert detect_type(text, "a.rst") == RST
    assert detect_type(text, "a.txt") == TEXT
    assert detect_type(b"<p>fragment</p>", "a.html") == HTML
    assert detect_type(b"no tags here", "a.html") == TEXT


def test_text_without_a_known_extension_is_sniffed():
    assert detect_type(b"Title\n=====\n\nWords.\n", "README") == RST
    assert detect_type(b"PEP: 8\nTitle: Style\n\nBody\n", "pep-0008") == RST
    assert detect_type(b"# Title\n\nSome *words*.\n", "notes") == MARKDOWN
    assert detect_type(b"Just a few words.\n\nAnd more.\n", "notes") == TEXT
    assert detect_type("Grüße aus Köln\n".encode("latin-1"), "notes") == TEXT
    assert detect_type("\ufeffHello".encode("utf-16"), "notes") == TEXT


def test_binary_content_is_never_text():
    assert detect_type(PNG_BYTES, "photo.txt") == "image/png"
    assert detect_type(b"\x00\x01\x02\x03" * 100, "data.md") == BINARY
    assert detect_type(b"", "empty.pdf") == EMPTY


# -- bad files ------------------------------------------------------------------------------


def test_an_empty_file_is_reported_as_empty(tmp_path):
    with pytest.raises(ParseError, match="The file is empty."):
        parse_file(write(tmp_path, "empty.pdf", b""))


def test_a_png_renamed_txt_is_not_supported(tmp_path):
    with pytest.raises(ParseError) as caught:
        parse_file(write(tmp_path, "photo.txt", PNG_BYTES))
    assert caught.value.reason == "This file type is not supported: a PNG image."


def test_random_bytes_named_pdf_are_refused(tmp_path):
    path = write(tmp_path, "report.pdf", bytes(range(256)) * 64)
    with pytest.raises(ParseError, match="not supported: data in an unknown format"):
        parse_file(path)
    with pytest.raises(ParseError, match=DAMAGED):
        parse(path, PDF)


def test_a_truncated_pdf_is_damaged(tmp_path):
    data = make_pdf([["First page text."], ["Second page text."]])
    path = write(tmp_path, "cut.pdf", data[: len(data) * 2 // 3])
    assert detect_path_type(path) == PDF
    with pytest.raises(ParseError, match=DAMAGED):
        parse(path, PDF)


def test_a_pdf_without_any_text_is_a_scan(tmp_path):
    path = write(tmp_path, "scan.pdf", make_pdf([[], []]))
    with pytest.raises(ParseError) as caught:
        parse(path, PDF)
    assert caught.value.reason == "This PDF is a scan without a text layer (no OCR is available)."


def test_a_docx_zip_bomb_is_refused_before_unpacking(tmp_path):
    path = make_zip_bomb(tmp_path / "bomb.docx")
    assert path.stat().st_size < 1024 * 1024
    assert detect_path_type(path) == DOCX
    with pytest.raises(ParseError) as caught:
        parse(path, DOCX)
    assert caught.value.reason == "The DOCX file is too large when unpacked (possible zip bomb)."


def test_a_docx_too_large_in_total_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(docx_parser, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(ParseError, match="zip bomb"):
        parse(make_docx(tmp_path / "big.docx"), DOCX)


def test_a_truncated_or_hollow_docx_is_damaged(tmp_path):
    data = make_docx(tmp_path / "whole.docx").read_bytes()
    with pytest.raises(ParseError, match=DAMAGED):
        parse(write(tmp_path, "cut.docx", data[: len(data) // 2]), DOCX)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ParseError, match=DAMAGED):
        parse(write(tmp_path, "hollow.docx", buffer.getvalue()), DOCX)


def test_office_compound_files_are_refused_with_the_right_reason(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    legacy = write(tmp_path, "old.doc", ole + "WordDocument".encode("utf-16-le"))
    with pytest.raises(ParseError, match="old Microsoft Office file"):
        parse_file(legacy)
    locked = write(
        tmp_path, "locked.docx", ole + bytes(70_000) + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(ParseError, match="This Office document is password-protected."):
        parse_file(locked)


def test_a_document_without_text_says_so(tmp_path):
    with pytest.raises(ParseError, match="The document contains no text."):
        parse(write(tmp_path, "blank.txt", "   \n\n  \n"), TEXT)


# -- each format ----------------------------------------------------------------------------


def test_pdf_text_comes_per_page_with_page_numbers(tmp_path):
    pages = [["Alpha page sentence one.", "Alpha again."], ["Beta page here."], ["Gamma end."]]
    path = write(tmp_path, "three.pdf", make_pdf(pages, title="Quarterly report"))
    document = parse(path, PDF)
    assert document.page_count == 3
    assert document.title == "Quarterly report"
    by_page = {b.page: b.text for b in document.blocks}
    assert "Alpha page sentence one." in by_page[1]
    assert by_page[2] == "Beta page here."
    assert by_page[3] == "Gamma end."


def test_docx_headings_lists_and_tables(tmp_path):
    document = parse(make_docx(tmp_path / "handbook.docx"), DOCX)
    assert document.title == "Handbook"
    kinds = [(b.kind, b.heading_path, b.text) for b in document.blocks]
    assert ("heading", ("Getting started",), "Getting started") in kinds
    assert ("paragraph", ("Getting started",), "Read this first. It explains the basics.") in kinds
    assert (
        "list",
        ("Getting started", "Accounts"),
        "- Ask IT for a laptop.\n- Set up two-factor login.",
    ) in kinds
    assert ("table", ("Getting started", "Accounts"), "Name | Role\nAda | Engineer") in kinds
    assert ("paragraph", ("Holidays",), "Book them early.") in kinds


def test_markdown_heading_path_lists_tables_and_front_matter(tmp_path):
    source = (
        "---\ntitle: Runbook\n---\n# Ops\n\nIntro with **bold** and [a link](http://x).\n\n"
        "## Backups\n\n- nightly\n- weekly\n  - offsite\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```sh\nrestic backup /\n```\n\n# Other\n\nText.\n"
    )
    document = parse(write(tmp_path, "runbook.md", source), MARKDOWN)
    assert document.title == "Runbook"
    blocks = [(b.kind, b.heading_path, b.text) for b in document.blocks]
    assert blocks == [
        ("heading", ("Ops",), "Ops"),
        ("paragraph", ("Ops",), "Intro with bold and a link."),
        ("heading", ("Ops", "Backups"), "Backups"),
        ("list", ("Ops", "Backups"), "- nightly\n- weekly\n  - offsite"),
        ("table", ("Ops", "Backups"), "a | b\n1 | 2"),
        ("code", ("Ops", "Backups"), "restic backup /"),
        ("heading", ("Other",), "Other"),
        ("paragraph", ("Other",), "Text."),
    ]


def test_rst_sections_pep_header_and_sphinx_markup(tmp_path):
    source = (
        "PEP: 999\nTitle: A Test Proposal\nAuthor: Someone <a@b.c>,\n        Other <d@e.f>\n\n\n"
        "Abstract\n========\n\nSee :class:`Thing <pkg.Thing>` and :pep:`8`.\n\n"
        "Details\n-------\n\n.. code-block:: python\n\n   x = 1\n\n"
        ".. versionadded:: 3.12\n   Kept text.\n\n"
        "Rationale\n=========\n\n* one\n* two\n"
    )
    document = parse(write(tmp_path, "pep-0999.rst", source), RST)
    assert document.title == "A Test Proposal"
    assert document.blocks[0].text.startswith("PEP: 999\nTitle: A Test Proposal\nAuthor: Someone")
    blocks = [(b.kind, b.heading_path, b.text) for b in document.blocks[1:]]
    assert ("paragraph", ("Abstract",), "See Thing and PEP 8.") in blocks
    assert ("code", ("Abstract", "Details"), "x = 1") in blocks
    assert ("paragraph", ("Abstract", "Details"), "3.12 Kept text.") in blocks
    assert ("list", ("Rationale",), "- one\n- two") in blocks


def test_rst_never_reads_files_named_by_the_document(tmp_path):
    secret = write(tmp_path, "secret.txt", "TOP-SECRET-VALUE")
    source = (
        f"Title\n=====\n\n.. include:: {secret}\n\n.. raw:: html\n   :file: {secret}\n\nBody.\n"
    )
    document = parse(write(tmp_path, "evil.rst", source), RST)
    assert "TOP-SECRET-VALUE" not in document.full_text
    assert "Body." in document.full_text


def test_html_main_text_without_scripts_styles_or_navigation(tmp_path):
    source = (
        "<!doctype html><html><head><title>Guide</title><style>p{color:red}</style>"
        "<script>var leaked = 1;</script></head><body><nav>Home About</nav><main>"
        "<h1>Setup</h1><p>Install <b>it</b> now.</p><h2>Linux</h2><ul><li>apt<ul><li>deb</li></ul></li></ul>"
        "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "<pre>make\n  install</pre>Loose words.</main><footer>Copyright</footer></body></html>"
    )
    document = parse(write(tmp_path, "guide.html", source), HTML)
    assert document.title == "Guide"
    assert [(b.kind, b.heading_path, b.text) for b in document.blocks] == [
        ("heading", ("Setup",), "Setup"),
        ("paragraph", ("Setup",), "Install it now."),
        ("heading", ("Setup", "Linux"), "Linux"),
        ("list", ("Setup", "Linux"), "- apt\n  - deb"),
        ("table", ("Setup", "Linux"), "k | v\n1 | 2"),
        ("code", ("Setup", "Linux"), "make\n  install"),
        ("paragraph", ("Setup", "Linux"), "Loose words."),
    ]
    for dropped in ("leaked", "color", "Home", "Copyright"):
        assert dropped not in document.full_text


def test_html_nested_too_deeply_to_walk_still_gives_its_text(tmp_path):
    source = "<html><body>" + "<div>" * 5000 + "deep text" + "</div>" * 5000
    source += "<p>after</p><script>hidden()</script></body></html>"
    document = parse(write(tmp_path, "deep.html", source), HTML)
    assert document.full_text == "deep text\n\nafter"


def test_plain_text_paragraphs_and_encodings(tmp_path):
    document = parse(
        write(tmp_path, "a.txt", "First line\nstill first.\r\n\r\n\r\nSecond.\n"), TEXT
    )
    assert [b.text for b in document.blocks] == ["First line\nstill first.", "Second."]
    latin = parse(write(tmp_path, "b.txt", "Grüße aus Köln, schöne Straße.".encode("cp1252")), TEXT)
    assert latin.full_text == "Grüße aus Köln, schöne Straße."
    utf16 = parse(write(tmp_path, "c.txt", "Ünïcode text".encode("utf-16")), TEXT)
    assert utf16.full_text == "Ünïcode text"


def test_type_labels_name_every_readable_type_and_describe_the_others():
    assert [type_label(t) for t in (PDF, DOCX, MARKDOWN, RST, HTML, TEXT)] == [
        "PDF",
        "Word",
        "Markdown",
        "reStructuredText",
        "HTML",
        "Plain text",
    ]
    assert type_label("image/png") == "PNG image"
    assert type_label("application/x-ole-storage") == "Old Microsoft Office file (.doc/.xls/.ppt)"
    assert type_label("application/x-unheard-of") == "Application/x-unheard-of"


def test_rst_code_inside_a_list_item_keeps_its_lines(tmp_path):
    # PEP 263's examples: one line would read "#!/usr/bin/python # -*- coding: latin-1 -*- ..."
    source = (
        "Examples\n========\n\n"
        "- With interpreter binary and using Emacs style file encoding comment::\n\n"
        "      #!/usr/bin/python\n      # -*- coding: latin-1 -*-\n      import os, sys\n\n"
        "- Without encoding comment, Python's parser will assume ASCII text.\n"
    )
    [block] = [
        b for b in parse(write(tmp_path, "pep-0263.rst", source), RST).blocks if b.kind == "list"
    ]
    assert block.text == (
        "- With interpreter binary and using Emacs style file encoding comment:\n"
        "  #!/usr/bin/python\n  # -*- coding: latin-1 -*-\n  import os, sys\n"
        "- Without encoding comment, Python's parser will assume ASCII text."
    )
