"""Answers written into a Word questionnaire: into the answer cell of a table row, or as
paragraphs right after a numbered question (python-docx has no insert-after, so the new
paragraph's XML element is added next to the question's)."""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.drafting.questionnaire_docx import PARAGRAPHS_TABLE, table_name
from lumikb_app.services.drafting.questionnaire_mapping import Mapping

ANSWER_INDENT = 18  # points: an answer sits under its question, set in from the margin
SOURCE_SIZE = 9  # points


def fill_docx(
    original: bytes, mapping: Mapping, answers: dict[int, tuple[str, list[str]]]
) -> bytes:
    document = docx.Document(io.BytesIO(original))
    if mapping.table == PARAGRAPHS_TABLE:
        _after_paragraphs(document, answers)
    else:
        _into_table(document, mapping, answers)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _into_table(document: Any, mapping: Mapping, answers: dict[int, tuple[str, list[str]]]) -> None:
    names = [table_name(index) for index in range(len(document.tables))]
    if mapping.table not in names:
        raise DraftInputError(f"The document has no {mapping.table}.")
    table = document.tables[names.index(mapping.table)]
    own_sources = mapping.sources_column is not None
    for row_index, (answer, sources) in answers.items():
        if row_index >= len(table.rows):
            continue
        cells = table.rows[row_index].cells
        answer_cell = _cell(cells, mapping.answer_column)
        question_cell = _cell(cells, mapping.question_column)
        if (
            answer_cell is not None
            and question_cell is not None
            and answer_cell._tc is question_cell._tc
        ):
            continue  # merged with the question: no cell of its own to fill
        if answer_cell is not None and (answer or sources):
            lines = answer.split("\n") if answer else []
            if not own_sources and sources:
                lines += ["", "Sources:", *sources] if lines else sources
            _write_cell(answer_cell, lines)
        source_cell = _cell(cells, mapping.sources_column)
        if own_sources and source_cell is not None and sources:
            _write_cell(source_cell, sources)


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _write_cell(cell: Any, lines: list[str]) -> None:
    """The cell's first paragraph (and its style) holds the first line; more lines follow."""
    first, *extra = cell.paragraphs
    for paragraph in extra:
        paragraph._p.getparent().remove(paragraph._p)
    for run in first.runs[1:]:
        run._r.getparent().remove(run._r)
    if first.runs:
        first.runs[0].text = lines[0] if lines else ""
    else:
        first.add_run(lines[0] if lines else "")
    for line in lines[1:]:
        cell.add_paragraph(line, style=first.style)


def _after_paragraphs(document: Any, answers: dict[int, tuple[str, list[str]]]) -> None:
    """Each answer in indented paragraphs after its question, sources a size smaller. A new
    paragraph has no style of its own (Normal), so it takes no number from a question's list."""
    body = document.paragraphs
    for index, (answer, sources) in answers.items():
        if index >= len(body) or not (answer or sources):
            continue
        question = body[index]
        lines = [(line, False) for line in (answer.split("\n") if answer else [])]
        lines += [(line, True) for line in (["Sources:", *sources] if sources else [])]
        anchor = question._p
        for line, is_source in lines:
            element = OxmlElement("w:p")
            anchor.addnext(element)
            paragraph = Paragraph(element, question._parent)
            paragraph.paragraph_format.left_indent = Pt(ANSWER_INDENT)
            run = paragraph.add_run(line)
            if is_source:
                run.font.size = Pt(SOURCE_SIZE)
            anchor = element
