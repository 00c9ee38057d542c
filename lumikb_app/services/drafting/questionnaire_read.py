"""Read an uploaded questionnaire (XLSX, CSV or DOCX) into tables of cell text and a
suggested column mapping, refusing hostile or unreadable files before anything is stored.

openpyxl reads workbooks (read-only, through defusedxml); the stdlib csv module reads CSV with
its sniffed dialect; python-docx reads Word tables, or numbered paragraphs when there are none.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from lumikb_app.domain.drafting import DraftInputError, QuestionnaireFormat
from lumikb_app.services.drafting import questionnaire_docx, questionnaire_safety
from lumikb_app.services.drafting.questionnaire_mapping import (
    MAX_COLUMNS,
    Mapping,
    Table,
    column_letter,
    suggest,
)

MAX_ROWS = 2000  # rows with text in one table
MAX_SCANNED_ROWS = 10_000  # rows read in a workbook, all sheets and empty rows included
MAX_TABLES = 30
MAX_CELL = 10_000
CSV_DELIMITERS = ",;\t|"
# A cell a spreadsheet would run: '=...', or '+', '-', '@' right before a function call
# ("+HYPERLINK(") or a DDE link ("-cmd|'/c calc'!A0"). "-2+3", "- Note (optional)" and
# "-ISO27001 certified" are text: nothing there can call out.
FORMULA = re.compile(r"^\s*(=\s*[\w\"'(\-+$@.]|[+\-@]([A-Za-z_][\w.]*\(|[^|]*\|[^!]*!))")
QUOTED = re.compile(r"'(?:[^']|'')*'")


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # utf-8-sig (with BOM), utf-8, utf-16 (with BOM) or cp1252
    delimiter: str
    quotechar: str
    lineterminator: str


@dataclass(frozen=True)
class ParsedQuestionnaire:
    format: QuestionnaireFormat
    filename: str
    tables: list[Table]
    suggested: Mapping
    csv_dialect: CsvDialect | None = None


def parse(filename: str, data: bytes) -> ParsedQuestionnaire:
    """The questionnaire's tables and a suggested mapping; DraftInputError when the file is
    too big, not what its name says, encrypted, macro-enabled, a zip bomb, holds formulas, or
    has too many rows."""
    name = questionnaire_safety.clean_filename(filename)
    fmt = questionnaire_safety.format_of(name, data)
    dialect = None
    if fmt is QuestionnaireFormat.xlsx:
        tables = read_xlsx(data)
    elif fmt is QuestionnaireFormat.csv:
        dialect, rows = read_csv(data)
        tables = [_table("CSV", rows, list(range(len(rows))))]
    else:
        tables = [_bounded(table) for table in questionnaire_docx.read_docx(data)]
    tables = [table for table in tables if any(any(row) for row in table.rows)]
    if not tables:
        raise DraftInputError("The questionnaire is empty: no questions were found in it.")
    return ParsedQuestionnaire(fmt, name, tables, suggest(tables), dialect)


def formula_like(text: str) -> bool:
    return bool(FORMULA.match(text))


def refuse_formula(text: str, where: str) -> None:
    if formula_like(text):
        shown = text.strip()[:40]
        raise DraftInputError(
            f"{where} holds a formula ({shown!r}). Files with formulas are refused, so nothing "
            "in them can run when the questionnaire is opened again: paste the values only "
            "and upload it again."
        )


def read_xlsx(data: bytes) -> list[Table]:
    import openpyxl  # imported when needed: most pages never read a workbook

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except DraftInputError:
        raise
    except Exception:  # openpyxl raises many kinds on a broken package
        raise DraftInputError(
            "This .xlsx file is damaged or incomplete and cannot be read."
        ) from None
    try:
        refuse_active_names(book)
        sheets = book.worksheets[:MAX_TABLES]
        budget = [MAX_SCANNED_ROWS]  # shared by the sheets: reading time grows with rows
        return [_read_sheet(sheet, budget) for sheet in sheets if hasattr(sheet, "iter_rows")]
    except DraftInputError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise DraftInputError(
            "This .xlsx file is damaged or incomplete and cannot be read."
        ) from exc
    finally:
        book.close()


def refuse_active_names(book: Any) -> None:
    """A defined name can hold a formula too (a DDE link or a function), which the export
    would carry back into the filled-in file; a plain range like Sheet1!$A$1:$E$21 is fine."""
    scopes = [book.defined_names, *(sheet.defined_names for sheet in book.worksheets)]
    for names in scopes:
        for name in names.values():
            text = QUOTED.sub("", str(name.attr_text or ""))  # sheet names may hold anything
            if "|" in text or "(" in text or name.function or name.vbProcedure or name.xlm:
                raise DraftInputError(
                    f"The workbook's defined name {name.name!r} holds a formula or a link to "
                    "another program. Remove it (Formulas > Name Manager) and upload again."
                )


def _read_sheet(sheet: Any, budget: list[int]) -> Table:
    sheet.reset_dimensions()  # a declared A1:XFD1048576 must not pad every row
    rows: list[list[str]] = []
    for cells in sheet.iter_rows():
        budget[0] -= 1
        if budget[0] < 0:
            raise DraftInputError(
                f"The workbook has more than {MAX_SCANNED_ROWS} rows in all: too long to be "
                "read as a questionnaire."
            )
        row = []
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                raise _formula_refusal(sheet.title, cell)
            row.append(_text(cell.value))
            if row[-1]:
                where = f"Cell {getattr(cell, 'coordinate', '')} of sheet {sheet.title!r}"
                refuse_formula(row[-1], where)
        rows.append(row)
    while rows and not any(rows[-1]):
        rows.pop()
    return _table(sheet.title, rows, list(range(1, len(rows) + 1)))


def _formula_refusal(sheet: str, cell: Any) -> DraftInputError:
    return DraftInputError(
        f"Cell {getattr(cell, 'coordinate', '')} of sheet {sheet!r} holds a formula. Files with "
        "formulas are refused, so nothing in them can run when the questionnaire is opened "
        "again: paste the values only (Paste Special > Values) and upload it again."
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()  # a date cell: openpyxl reads it as midnight
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()[:MAX_CELL]


def read_csv(data: bytes) -> tuple[CsvDialect, list[list[str]]]:
    encoding, text = decode(data)
    dialect = sniff(text, encoding)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        strict=False,
    )
    rows: list[list[str]] = []
    try:
        for number, record in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise DraftInputError(f"The CSV file has more than {MAX_ROWS} rows.")
            for column, cell in enumerate(record):
                refuse_formula(cell, f"Row {number}, column {column_letter(column)}")
            rows.append([cell.strip()[:MAX_CELL] for cell in record])
    except csv.Error:
        raise DraftInputError(
            "This CSV file is malformed (for example an unclosed quote or a huge field)."
        ) from None
    while rows and not any(rows[-1]):
        rows.pop()
    return dialect, rows


def decode(data: bytes) -> tuple[str, str]:
    """(encoding, text): UTF-8 with or without a BOM, UTF-16 with one, else Windows-1252
    (Excel's plain CSV)."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig", data.decode("utf-8-sig")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16", data.decode("utf-16")
    except UnicodeDecodeError:
        raise DraftInputError("This CSV file's text is damaged (its encoding is broken).") from None
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", data.decode("cp1252")
    except UnicodeDecodeError:
        raise DraftInputError(
            "This CSV file's text encoding is not UTF-8 or Windows-1252; save it as "
            "CSV UTF-8 and upload it again."
        ) from None


def sniff(text: str, encoding: str) -> CsvDialect:
    """The delimiter and line ending the file uses. The quote is always '"' (what every
    spreadsheet writes): the sniffer takes the apostrophes of "What's ..., it's" for quotes."""
    sample = text[:65536]
    lineterminator = "\r\n" if "\r\n" in sample else "\n"
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    return CsvDialect(encoding, delimiter, '"', lineterminator)


def _table(name: str, rows: list[list[str]], keys: list[int]) -> Table:
    return _bounded(Table(name, rows, keys))


def _bounded(table: Table) -> Table:
    """The table within the row and column limits, each row as wide as the widest."""
    width = table.width
    if width > MAX_COLUMNS:
        raise DraftInputError(f"{table.name!r} has more than {MAX_COLUMNS} columns.")
    if sum(1 for row in table.rows if any(row)) > MAX_ROWS:
        raise DraftInputError(f"{table.name!r} has more than {MAX_ROWS} rows.")
    padded = [row + [""] * (width - len(row)) for row in table.rows]
    return replace(table, rows=padded)
