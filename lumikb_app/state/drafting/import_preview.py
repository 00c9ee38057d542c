"""The questionnaire import's preview as the page shows it, and the column mapping a person
chooses in it (services/drafting/questionnaire_import reads the file and checks the mapping).

Column selects hold the column's index as text ("2"), or NONE for an optional column left out:
a select item's value cannot be empty."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from lumikb_app.services.drafting.questionnaire_import import Preview, PreviewTable

NONE = "none"
CELL_CHARS = 160  # a preview cell shows this much of its text
ROLES = (  # (mapping field, the column's role in words)
    ("question_column", "Question"),
    ("answer_column", "Answer"),
    ("sources_column", "Sources"),
    ("id_column", "ID"),
    ("section_column", "Section"),
)
MAX_HEADER_ROW = 20


@dataclass
class ColumnChoice:
    value: str  # the column's index, as text
    label: str  # "C · Question"


@dataclass
class TableView:
    name: str
    kind: str  # rows | paragraphs
    columns: list[ColumnChoice] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row_count: int = 0
    header_row: int = 0  # the header row suggested for this table (its rows start below it)
    choices: dict[str, str] = field(default_factory=dict)  # its suggested column per role


@dataclass
class HeaderCell:
    letter: str
    header: str
    role: str  # "Question", "Answer", ... or "" when the column is not mapped


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def table_view(table: PreviewTable) -> TableView:
    columns = [
        ColumnChoice(str(c.index), f"{c.letter} · {c.header}" if c.header else c.letter)
        for c in table.columns
    ]
    rows = [[_cell(text) for text in row] for row in table.rows]
    header_row, choices = suggested_choices(table.mapping)
    return TableView(table.name, table.kind, columns, rows, table.row_count, header_row, choices)


def suggested_choices(suggested: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """A suggested mapping's header row, and its column per role as the selects hold them."""
    header = suggested.get("header_row")
    header_row = header if isinstance(header, int) and not isinstance(header, bool) else 0
    return header_row, {name: choice(suggested.get(name)) for name, _ in ROLES}


def table_views(preview: Preview) -> list[TableView]:
    return [table_view(table) for table in preview.tables]


def choice(value: object) -> str:
    """A mapping's column (an index or None) as a select's value."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else NONE


def column(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def header_cells(table: TableView, chosen: dict[str, str]) -> list[HeaderCell]:
    """Each column of the shown table with the role it is mapped to."""
    roles = {chosen.get(name, NONE): label for name, label in ROLES}
    cells = []
    for option in table.columns:
        letter, _, header = option.label.partition(" · ")
        cells.append(HeaderCell(letter, header, roles.get(option.value, "")))
    return cells


def mapping(table: str, header_row: int, chosen: dict[str, str]) -> dict[str, Any]:
    """The mapping as questionnaire_import takes it."""
    return {
        "table": table,
        "header_row": header_row,
        **{name: column(chosen.get(name, NONE)) for name, _ in ROLES},
    }


def title_from(filename: str) -> str:
    """A first title for the draft: the file's name without its extension, in words."""
    stem = PurePath(filename).stem.replace("_", " ").replace("-", " ")
    words = " ".join(stem.split())
    return words[:1].upper() + words[1:]
