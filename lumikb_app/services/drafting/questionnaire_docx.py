"""A Word questionnaire's questions: the rows of its tables, and its numbered paragraphs
("1. ...", "Q3) ...", or Word's own list numbering) as a table of number and question."""

from __future__ import annotations

import io
import re
from typing import Any

from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.drafting.questionnaire_mapping import Table

PARAGRAPHS_TABLE = "Numbered questions"
MAX_TABLES = 30
MAX_ROWS = 2000
# "1. ", "2) ", "1.2. ", "(3) ", "Q4 ", "Q4: ", "Question 5. " before the question's text.
NUMBERED = re.compile(
    r"^\s*\(?(Q(?:uestion)?\s*\d{1,3}(?:\.\d{1,3})*[.):]?|\d{1,3}(?:\.\d{1,3})*[.)])\s+(\S.*)$",
    re.I,
)


def read_docx(data: bytes) -> list[Table]:
    import docx  # python-docx, imported when a Word file is read

    try:
        document = docx.Document(io.BytesIO(data))
        tables = [_table(index, table) for index, table in enumerate(document.tables[:MAX_TABLES])]
        numbered = numbered_paragraphs(document)
    except DraftInputError:
        raise
    except Exception:  # python-docx and lxml raise many kinds on a broken document
        raise DraftInputError(
            "This .docx file is damaged or incomplete and cannot be read."
        ) from None
    if numbered.rows:
        tables.append(numbered)
    return tables


def table_name(index: int) -> str:
    return f"Table {index + 1}"


def _table(index: int, table: Any) -> Table:
    rows = []
    for number, row in enumerate(table.rows):
        if number >= MAX_ROWS:
            raise DraftInputError(
                f"Table {index + 1} of the document has more than {MAX_ROWS} rows."
            )
        rows.append([cell.text.strip() for cell in row.cells])
    return Table(table_name(index), rows, list(range(len(rows))), can_grow=False)


def numbered_paragraphs(document: Any) -> Table:
    """Body paragraphs that are numbered questions, keyed by their index among the body's
    paragraphs (where the answer goes after them)."""
    rows, keys, counter = [], [], 0
    for index, paragraph in enumerate(document.paragraphs):
        text = paragraph.text.strip()
        if not text:
            continue
        found = NUMBERED.match(text)
        if found:
            number, text = found.group(1).rstrip(".):"), found.group(2)
        elif _list_numbered(paragraph):
            counter += 1
            number = str(counter)
        else:
            continue
        rows.append([number, text])
        keys.append(index)
        if len(rows) > MAX_ROWS:
            raise DraftInputError(f"The document has more than {MAX_ROWS} numbered paragraphs.")
    return Table(PARAGRAPHS_TABLE, rows, keys, "paragraphs")


def _list_numbered(paragraph: Any) -> bool:
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    style = paragraph.style.name if paragraph.style is not None else ""
    return style.startswith("List Number")
