"""Answers written into a workbook with openpyxl: the original loaded whole (styles, widths,
merged cells, other sheets, pictures and charts kept) and only the mapped cells written."""

from __future__ import annotations

import io
from copy import copy
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell

from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.drafting import questionnaire_xlsx_fit
from lumikb_app.services.drafting.questionnaire_export import RISKY_START, answer_column, joined
from lumikb_app.services.drafting.questionnaire_mapping import Mapping

MAX_XLSX_CELL = 32_000  # Excel's limit is 32,767 characters per cell


def fill_xlsx(
    original: bytes, mapping: Mapping, answers: dict[int, tuple[str, list[str]]]
) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(original))
    if mapping.table not in book.sheetnames:
        raise DraftInputError(f"The questionnaire has no sheet named {mapping.table!r}.")
    sheet = book[mapping.table]
    _xlsx_headers(sheet, mapping)
    answers_at, sources_at = answer_column(mapping) + 1, mapping.sources_column
    for column in (answers_at, None if sources_at is None else sources_at + 1):
        if column is not None:  # widened first: a row's height follows its columns' widths
            questionnaire_xlsx_fit.widen(sheet, column)
    for row, (answer, sources) in answers.items():
        if not (answer or sources):
            continue
        if text := joined(answer, sources, sources_at is None):
            _fill(sheet, row, answers_at, text)
        if sources_at is not None and sources:
            _fill(sheet, row, sources_at + 1, "\n".join(sources))
        questionnaire_xlsx_fit.fit_row(sheet, row)
    questionnaire_xlsx_fit.fit_to_page(sheet, mapping.header_row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet: Any, row: int, column: int, text: str) -> None:
    cell = _set_text(sheet.cell(row=row, column=column), text)
    if cell is not None:
        questionnaire_xlsx_fit.wrap(cell)


def _xlsx_headers(sheet: Any, mapping: Mapping) -> None:
    """A header row gets "Answer"/"Sources" where those columns had no name yet, styled like
    the header on its left when it had no style of its own (a new column)."""
    if not mapping.header_row:
        return
    for index, name in ((mapping.answer_column, "Answer"), (mapping.sources_column, "Sources")):
        if index is None:
            continue
        cell = sheet.cell(row=mapping.header_row, column=index + 1)
        if cell.value not in (None, ""):
            continue
        if not cell.has_style and index > 0:
            left = sheet.cell(row=mapping.header_row, column=index)
            if left.has_style:
                cell._style = copy(left._style)
        _set_text(cell, name)


def _set_text(cell: Any, text: str) -> Any:
    """Text stays text: openpyxl would store '=…' as a formula, so the type is set after."""
    cell = _writable(cell)
    if cell is None:
        return None
    if len(text) > MAX_XLSX_CELL:
        text = text[: MAX_XLSX_CELL - 1] + "…"
    cell.value = text
    cell.data_type = "s"
    if text.startswith(RISKY_START):
        cell.quotePrefix = True
    return cell


def _writable(cell: Any) -> Any:
    """A cell merged down with the ones above is written through the top one; a cell merged
    into another column (the question's, say) is left alone (None)."""
    if not isinstance(cell, MergedCell):
        return cell
    sheet = cell.parent
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            top = merged.min_col == cell.column
            return sheet.cell(row=merged.min_row, column=merged.min_col) if top else None
    return cell
