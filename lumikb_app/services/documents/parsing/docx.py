"""DOCX with python-docx (MIT): headings give the heading path, lists and tables become text.

The zip is checked before python-docx unpacks anything: too many entries, too many bytes
once unpacked, or a big entry compressed beyond any real document's ratio is refused as a
possible zip bomb. (zipfile never yields more bytes than an entry's declared size, so the
declared sizes are a safe bound.)
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lumikb_app.domain.documents import BlockKind, ParsedBlock, ParsedDocument
from lumikb_app.services.documents.parsing import DOCX, ParseError
from lumikb_app.services.documents.parsing.text import normalize

MAX_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1024 * 1024
_ZIP_BOMB = "The DOCX file is too large when unpacked (possible zip bomb)."
_DAMAGED = "The file is damaged or truncated and cannot be read."
_HEADING_STYLE = re.compile(r"^heading\s+([1-9])$", re.I)


def parse(path: Path) -> ParsedDocument:
    entry_names = check_archive(path)
    document = _open(path)
    try:
        blocks = tuple(_body_blocks(document))
        title = _title(document, has_core_properties="docProps/core.xml" in entry_names)
    except Exception as error:  # broken parts surface lazily, as any kind of error
        raise ParseError(_DAMAGED) from error
    return ParsedDocument(blocks, page_count=None, title=title, mime_type=DOCX)


def check_archive(path: Path) -> set[str]:
    """Refuse a damaged zip or a zip bomb before anything is decompressed; returns entry names."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ParseError(_DAMAGED) from error
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise ParseError(_ZIP_BOMB)
    if any(_too_compressed(entry) for entry in entries):
        raise ParseError(_ZIP_BOMB)
    names = {entry.filename for entry in entries}
    if "word/document.xml" not in names:
        raise ParseError(_DAMAGED)
    return names


def _too_compressed(entry: zipfile.ZipInfo) -> bool:
    if entry.file_size < RATIO_CHECK_MIN_BYTES:
        return False
    return entry.file_size > MAX_RATIO * max(entry.compress_size, 1)


def _open(path: Path):
    import docx

    try:
        return docx.Document(str(path))
    except Exception as error:  # python-docx raises many kinds for a broken package
        raise ParseError(_DAMAGED) from error


def _body_blocks(document):
    """Blocks in body order: a heading opens a section, list paragraphs group into one block.

    A Title-style paragraph is a heading block of its own that does not open a section."""
    from docx.table import Table

    path: tuple[str, ...] = ()
    list_lines: list[str] = []
    for item in document.iter_inner_content():
        kind: BlockKind
        level: int | None
        if isinstance(item, Table):
            kind, text, level = "table", _table_text(item), None
        else:
            kind, text, level = _paragraph(item)
        if list_lines and kind != "list":
            yield ParsedBlock("\n".join(list_lines), None, path, "list")
            list_lines = []
        if not text:
            continue
        if kind == "list":
            list_lines.append(text)
        elif kind == "heading" and level == 0:
            yield ParsedBlock(text, None, (text,), "heading")
        elif kind == "heading" and level is not None:
            path = path[: level - 1] + (text,)
            yield ParsedBlock(text, None, path, "heading")
        else:
            yield ParsedBlock(text, None, path, kind)
    if list_lines:
        yield ParsedBlock("\n".join(list_lines), None, path, "list")


def _paragraph(paragraph) -> tuple[BlockKind, str, int | None]:
    """(kind, text, heading level); a Title-style paragraph is a heading of level 0."""
    text = _clean(paragraph.text)
    style_names = _style_chain(paragraph.style)
    for name in style_names:
        if name.lower() == "title":
            return "heading", text, 0
        if match := _HEADING_STYLE.match(name):
            return "heading", text, int(match.group(1))
    if _is_list_item(paragraph, style_names):
        return "list", f"{'  ' * _list_level(paragraph)}- {text}" if text else "", None
    return "paragraph", text, None


def _style_chain(style) -> list[str]:
    names: list[str] = []
    while style is not None and len(names) < 10:
        names.append(style.name or "")
        style = style.base_style
    return names


def _is_list_item(paragraph, style_names: list[str]) -> bool:
    properties = paragraph._p.pPr
    has_numbering = properties is not None and properties.numPr is not None
    return has_numbering or any(name.lower().startswith("list") for name in style_names)


def _list_level(paragraph) -> int:
    properties = paragraph._p.pPr
    numbering = properties.numPr if properties is not None else None
    if numbering is None or numbering.ilvl is None:
        return 0
    return int(numbering.ilvl.val or 0)


def _table_text(table) -> str:
    rows = []
    for row in table.rows:
        cells = _distinct_cells(_clean(cell.text).replace("\n", " ") for cell in row.cells)
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _distinct_cells(texts) -> list[str]:
    """Cell texts, dropping the repeats python-docx returns for merged cells."""
    cells: list[str] = []
    for text in texts:
        if not cells or text != cells[-1] or not text:
            cells.append(text)
    return cells


def _title(document, has_core_properties: bool) -> str | None:
    """The title property, else the first Title-style paragraph (a missing property part reads
    as python-docx's placeholder, so it only counts when the part exists)."""
    core_title = _clean(document.core_properties.title or "") if has_core_properties else ""
    if core_title:
        return core_title
    styled = (_paragraph(p) for p in document.paragraphs)
    return next((text for kind, text, level in styled if level == 0 and text), None)


def _clean(text: str) -> str:
    return normalize(text).strip()
