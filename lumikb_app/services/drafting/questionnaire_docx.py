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
MAX_PARAGRAPHS = 10_000
MAX_TABLE_ROWS = 4000  # all tables together
# "1. ", "2) ", "1.2. ", "(3) ", "Q4 ", "Q4: ", "Question 5. " before the question's text.
NUMBERED = re.compile(
    r"^\s*\(?(Q(?:uestion)?\s*\d{1,3}(?:\.\d{1,3})*[.):]?|\d{1,3}(?:\.\d{1,3})*[.)])\s+(\S.*)$",
    re.I,
)


def read_docx(data: bytes) -> list[Table]:
    import docx  # python-docx, imported when a Word file is read

    try:
        document = docx.Document(io.BytesIO(data))
        tables, budget = [], MAX_TABLE_ROWS
        for index, table in enumerate(document.tables[:MAX_TABLES]):
            tables.append(_table(index, table, budget))
            budget -= len(tables[-1].rows)
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


def _table(index: int, table: Any, budget: int) -> Table:
    rows = []
    for number, row in enumerate(table.rows):
        if number >= MAX_ROWS:
            raise DraftInputError(
                f"Table {index + 1} of the document has more than {MAX_ROWS} rows."
            )
        if number >= budget:  # python-docx takes about half a millisecond per row
            raise DraftInputError(
                f"The document's tables have more than {MAX_TABLE_ROWS} rows in all: too long "
                "to be read as a questionnaire."
            )
        rows.append([cell.text.strip() for cell in row.cells])
    return Table(table_name(index), rows, list(range(len(rows))), can_grow=False)


def numbered_paragraphs(document: Any) -> Table:
    """Body paragraphs that are numbered questions, keyed by their index among the body's
    paragraphs (where the answer goes after them)."""
    rows, keys, counter = [], [], 0
    # paragraph.style looks the style up among all styles each time (4 ms): names read once
    style_names = {style.style_id: style.name or "" for style in document.styles}
    for index, paragraph in enumerate(document.paragraphs):
        if index >= MAX_PARAGRAPHS:
            raise DraftInputError(
                f"The document has more than {MAX_PARAGRAPHS} paragraphs: too long to be read "
                "as a questionnaire."
            )
        text = paragraph.text.strip()
        if not text:
            continue
        found = NUMBERED.match(text)
        if found:
            number, text = found.group(1).rstrip(".):"), found.group(2)
        elif _list_numbered(paragraph, style_names):
            counter += 1
            number = str(counter)
        else:
            continue
        rows.append([number, text])
        keys.append(index)
        if len(rows) > MAX_ROWS:
            raise DraftInputError(f"The document has more than {MAX_ROWS} numbered paragraphs.")
    return Table(PARAGRAPHS_TABLE, rows, keys, "paragraphs")


def _list_numbered(paragraph: Any, style_names: dict[str, str]) -> bool:
    """Numbered by Word itself: list numbering on the paragraph, or a List Number style."""
    properties = paragraph._p.pPr
    if properties is None:
        return False
    if properties.numPr is not None:
        return True
    style = properties.pStyle.val if properties.pStyle is not None else None
    return style_names.get(str(style), "").startswith("List Number")
