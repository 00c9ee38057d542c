"""The questionnaire's preview: which sheet or table, which columns hold the question, answer,
sources, id and section (each a labelled select), and its first rows with each column's role."""

import reflex as rx

from lumikb_app.state.drafting.import_preview import (
    NONE,
    ROLES,
    ColumnChoice,
    HeaderCell,
    TableView,
)
from lumikb_app.state.drafting.questionnaire_import import ImportState
from lumikb_app.ui.components.common import testid
from lumikb_app.ui.components.forms import labelled_select
from lumikb_app.ui.components.responsive import scroll_x

MUTED = rx.color("gray", 11)
OPTIONAL = {"question_column": False, "answer_column": False}
HINTS = {
    "question_column": "Each row with text here becomes a section.",
    "answer_column": "Answers are written here on export.",
    "sources_column": "Sources are listed here on export (optional).",
    "id_column": "The questionnaire's own numbering (optional).",
    "section_column": "Groups questions under headings (optional).",
}


def _column_item(option: ColumnChoice) -> rx.Component:
    return rx.select.item(option.label, value=option.value)


def column_select(field: str, label: str) -> rx.Component:
    control_id = f"map-{field.replace('_column', '')}"
    optional = OPTIONAL.get(field, True)
    return labelled_select(
        label,
        control_id,
        [
            rx.select.item("Not in this file", value=NONE) if optional else rx.fragment(),
            rx.foreach(ImportState.shown_table.columns, _column_item),
        ],
        value=ImportState.map_columns[field],
        on_change=lambda value: ImportState.set_map_column(field, value),
        note=rx.text(HINTS[field], size="1", color=MUTED),
        min_width="0",
    )


def _table_item(table: TableView) -> rx.Component:
    return rx.select.item(table.name, value=table.name)


def _header_rows() -> list[rx.Component]:
    return [rx.select.item("No header row", value="0")] + [
        rx.select.item(f"Row {n}", value=str(n)) for n in range(1, 11)
    ]


def table_choice() -> rx.Component:
    """Which sheet or table, and its header row (a file with one table shows just the row)."""
    return rx.grid(
        rx.cond(
            ImportState.several_tables,
            labelled_select(
                "Sheet or table",
                "map-table",
                [rx.foreach(ImportState.import_tables, _table_item)],
                value=ImportState.map_table,
                on_change=ImportState.set_map_table,
                min_width="0",
            ),
        ),
        labelled_select(
            "Header row",
            "map-header-row",
            _header_rows(),
            value=ImportState.map_header_row.to_string(),
            on_change=ImportState.set_map_header_row,
            min_width="0",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="12px",
        width="100%",
    )


def column_selects() -> rx.Component:
    return rx.grid(
        *(column_select(field, label) for field, label in ROLES),
        columns=rx.breakpoints(initial="1", sm="2", md="3"),
        gap="12px",
        width="100%",
        custom_attrs=testid("mapping-selects"),
    )


def _header_cell(cell: HeaderCell) -> rx.Component:
    return rx.table.column_header_cell(
        rx.vstack(
            rx.text(cell.letter + rx.cond(cell.header != "", " · " + cell.header, ""), size="1"),
            rx.cond(
                cell.role != "",
                rx.badge(cell.role, size="1", variant="solid", custom_attrs=testid("mapped-role")),
            ),
            spacing="1",
        ),
        min_width="120px",
        custom_attrs={**testid("preview-column"), "data-role": cell.role},
    )


def _body_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.foreach(row, lambda text: rx.table.cell(rx.text(text, size="1"))),
        custom_attrs=testid("preview-row"),
    )


def preview_table() -> rx.Component:
    return scroll_x(
        rx.table.root(
            rx.table.header(rx.table.row(rx.foreach(ImportState.preview_header, _header_cell))),
            rx.table.body(rx.foreach(ImportState.shown_table.rows, _body_row)),
            size="1",
            variant="surface",
            width="100%",
        ),
        name="preview-table",
        label="The questionnaire's first rows",
        max_height="320px",
        overflow_y="auto",
    )


def mapping_preview() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("file-spreadsheet", size=18, color=rx.color("accent", 11), aria_hidden="true"),
            rx.text(ImportState.import_filename, weight="bold", size="2", truncate=True),
            rx.badge(ImportState.import_format.upper(), variant="soft"),
            rx.spacer(),
            rx.button(
                "Choose another file",
                type="button",
                variant="ghost",
                size="1",
                on_click=ImportState.choose_another_file,
                custom_attrs=testid("import-another"),
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        table_choice(),
        column_selects(),
        rx.hstack(
            rx.text(
                ImportState.question_count_label,
                size="2",
                weight="medium",
                custom_attrs=testid("import-question-count"),
            ),
            rx.cond(
                ImportState.import_problem != "",
                rx.text(
                    ImportState.import_problem,
                    size="2",
                    color=rx.color("amber", 11),
                    custom_attrs=testid("import-problem"),
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        preview_table(),
        spacing="3",
        width="100%",
        custom_attrs=testid("import-preview"),
    )
