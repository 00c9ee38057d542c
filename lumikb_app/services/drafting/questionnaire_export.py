"""The imported questionnaire with its answers filled in: the original file, loaded again and
written only in the mapped answer and sources columns (or after each numbered question in a
Word document), so its styles, widths, other sheets and other columns stay as they were.

No written cell can run: text starting with = + - @ is stored as text in a workbook (and
marked with Excel's quote prefix) and prefixed with an apostrophe in a CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from lumikb_app.db.tables import DraftSection
from lumikb_app.domain.drafting import DraftInputError, QuestionnaireFormat
from lumikb_app.services.drafting import questionnaire_read
from lumikb_app.services.drafting.questionnaire_mapping import Mapping
from lumikb_app.services.drafting.questionnaire_text import plain_answer

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML (xlsx, docx)


def answer_text(section: DraftSection) -> str:
    """The answer as plain text with its [n] markers, without Markdown's marks."""
    return plain_answer(section.content or "")


def source_lines(section: DraftSection, base_url: str) -> list[str]:
    """ "[1] pep-0008.txt, p. 3 — https://kb.example/view/…" per cited source."""
    lines: list[str] = []
    for source in section.sources or []:
        name = str(source.get("document_name") or "source")
        page = source.get("page")
        where = f", p. {page}" if page not in (None, "") else ""
        href = str(source.get("href") or "")
        if href.startswith("/"):
            href = base_url.rstrip("/") + href
        link = f" — {href}" if href else ""
        line = f"[{source.get('n', len(lines) + 1)}] {name}{where}{link}"
        lines.append(CONTROL.sub("", line))
    return lines


def fill_questionnaire(
    fmt: str | QuestionnaireFormat,
    original: bytes,
    mapping: Mapping | dict[str, Any],
    sections: Sequence[DraftSection],
    base_url: str,
) -> bytes:
    """The original file with each section's answer and sources in its row's mapped cells."""
    chosen = Mapping.from_value(mapping)
    answers = {
        int(section.row["row"]): (answer_text(section), source_lines(section, base_url))
        for section in sections
        if section.row.get("table") == chosen.table and isinstance(section.row.get("row"), int)
    }
    kind = QuestionnaireFormat(fmt)
    if kind is QuestionnaireFormat.csv:
        return fill_csv(original, chosen, answers)
    # openpyxl and python-docx are imported only when such a file is filled
    if kind is QuestionnaireFormat.xlsx:
        from lumikb_app.services.drafting import questionnaire_xlsx_export

        return questionnaire_xlsx_export.fill_xlsx(original, chosen, answers)
    from lumikb_app.services.drafting import questionnaire_docx_export

    return questionnaire_docx_export.fill_docx(original, chosen, answers)


def joined(answer: str, sources: list[str], with_sources: bool) -> str:
    if not with_sources or not sources:
        return answer
    return f"{answer}\n\nSources:\n" + "\n".join(sources) if answer else "\n".join(sources)


def answer_column(mapping: Mapping) -> int:
    if mapping.answer_column is None:
        raise DraftInputError("Choose the column the answers go in.")
    return mapping.answer_column


def fill_csv(original: bytes, mapping: Mapping, answers: dict[int, tuple[str, list[str]]]) -> bytes:
    encoding, text = questionnaire_read.decode(original)
    dialect = questionnaire_read.sniff(text, encoding)
    records = list(
        csv.reader(
            io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar=dialect.quotechar
        )
    )
    own_sources = mapping.sources_column is not None
    if mapping.header_row and mapping.header_row <= len(records):
        header = records[mapping.header_row - 1]
        for index, name in ((mapping.answer_column, "Answer"), (mapping.sources_column, "Sources")):
            if index is not None:
                _set_field(header, index, name, only_if_empty=True)
    for row, (answer, sources) in answers.items():
        if row >= len(records):
            continue
        if answer or sources:
            _set_field(
                records[row],
                answer_column(mapping),
                _defused(joined(answer, sources, not own_sources)),
            )
        if own_sources and sources and mapping.sources_column is not None:
            _set_field(records[row], mapping.sources_column, _defused("\n".join(sources)))
    out = io.StringIO(newline="")
    writer = csv.writer(
        out,
        delimiter=dialect.delimiter,
        quotechar=dialect.quotechar,
        lineterminator=dialect.lineterminator,
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerows(records)
    return _encode(out.getvalue(), encoding)


def _set_field(record: list[str], index: int, value: str, only_if_empty: bool = False) -> None:
    if len(record) <= index:
        record.extend([""] * (index + 1 - len(record)))
    if not only_if_empty or not record[index].strip():
        record[index] = value


def _defused(text: str) -> str:
    """A spreadsheet opening the CSV reads a leading apostrophe as 'this is text'."""
    return "'" + text if text.startswith(RISKY_START) else text


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:  # an answer holds what Windows-1252 cannot: UTF-8 with a BOM
        return text.encode("utf-8-sig")
