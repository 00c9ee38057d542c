"""Make filled-in cells readable without changing what the questionnaire's author chose.

A spreadsheet does not grow a row for wrapped text that was written by a program (LibreOffice
shows it cut off and overlapping), so each row we fill gets the height its longest wrapped cell
needs, never less than it had. A column we fill keeps the width its author gave it; one left
at the default width (a narrow empty "Sources" column, say) is widened so a source fits. A sheet
without a print setup of its own prints one page wide, landscape, its header on every page
(LibreOffice printed the filled PEP sheet 20 pages long, a column or two per page).
"""

from __future__ import annotations

import math
from copy import copy
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

FILLED_WIDTH = 60.0  # characters, for a filled column that had no width of its own
DEFAULT_WIDTH = 8.43  # Excel's default column width in characters
CHARS_PER_WIDTH = 1.15  # average text is narrower than the '0' a width unit is measured in
LINE_SPACING = 1.3  # a line's height in points per point of font size
MAX_ROW_HEIGHT = 409.0  # Excel's limit, in points


def wrap(cell: Any) -> None:
    """A filled cell wraps its text (the rest of its alignment is kept)."""
    if not cell.alignment.wrap_text:
        alignment = copy(cell.alignment)
        alignment.wrap_text, alignment.vertical = True, alignment.vertical or "top"
        cell.alignment = alignment


def widen(sheet: Any, column: int) -> None:
    if own_width(sheet, column) is None:
        sheet.column_dimensions[get_column_letter(column)].width = FILLED_WIDTH


def own_width(sheet: Any, column: int) -> float | None:
    """The width the file gives this column, if any (a <col> range may cover several)."""
    for letter, dimension in sheet.column_dimensions.items():
        low = dimension.min or column_index_from_string(letter)  # one made here has no range
        high = dimension.max or low
        if low <= column <= high and dimension.width:
            return float(dimension.width)
    return None


def fit_row(sheet: Any, row: int) -> None:
    """Give the row the height its wrapped cells need, if that is more than it has."""
    needed = max((_height(sheet, cell) for cell in sheet[row] if cell.value), default=0.0)
    current = sheet.row_dimensions[row].height or sheet.sheet_format.defaultRowHeight or 15.0
    if needed > current:
        sheet.row_dimensions[row].height = min(needed, MAX_ROW_HEIGHT)


def _height(sheet: Any, cell: Any) -> float:
    if not cell.alignment.wrap_text:
        return 0.0
    width = own_width(sheet, cell.column) or sheet.sheet_format.defaultColWidth or DEFAULT_WIDTH
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in str(cell.value).split("\n"))
    size = float(cell.font.sz or 11)
    return lines * size * LINE_SPACING + 3


def fit_to_page(sheet: Any, header_row: int) -> None:
    setup = sheet.page_setup
    chosen = sheet.sheet_properties.pageSetUpPr
    if (chosen is not None and chosen.fitToPage) or any(
        value is not None
        for value in (setup.orientation, setup.scale, setup.fitToWidth, setup.fitToHeight)
    ):
        return  # the author's print setup stays
    sheet.page_setup.orientation = "landscape"
    if chosen is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        chosen.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if header_row and not sheet.print_title_rows:
        sheet.print_title_rows = f"{header_row}:{header_row}"
