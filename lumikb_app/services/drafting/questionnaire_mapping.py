"""Which table of a questionnaire holds the questions, and which of its columns are the
question, the answer to fill, the sources, the file's own id and its section.

Columns are counted from 0 (A = 0); a mapping given by a person may name them by letter ("C")
too. `header_row` counts the table's rows from 1; 0 means the table has no header row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from lumikb_app.domain.drafting import MAX_SECTION_TITLE, MAX_SECTIONS, DraftInputError

MAX_COLUMNS = 50
HEADER_SCAN = 10  # the header row is looked for in a table's first rows
# A header cell's words, in English, German, French, Spanish, Italian and Dutch. A cell names
# its column when it is one of them ("Antwort"), starts with one ("Answer (vendor)") or, when
# short, holds one among its words ("Frage / Question").
HEADER_WORDS = {
    "question_column": (
        "question", "questions", "requirement", "control", "query", "ask", "frage", "fragen",
        "anforderung", "exigence", "pregunta", "preguntas", "requisito", "domanda", "vraag",
    ),
    "answer_column": (
        "answer", "answers", "response", "reply", "vendor response", "antwort", "antworten",
        "réponse", "réponses", "reponse", "respuesta", "respuestas", "risposta", "antwoord",
    ),
    "sources_column": (
        "sources", "source", "reference", "references", "evidence", "citation", "quellen",
        "quelle", "nachweis", "nachweise", "belege", "référence", "références", "preuves",
        "fuentes", "fuente", "referencias", "evidencia", "fonti", "bronnen",
    ),
    "id_column": (
        "id", "#", "no", "nr", "number", "ref", "question id", "item", "nummer", "numéro",
        "número", "num", "n°", "nº",
    ),
    "section_column": (
        "section", "category", "domain", "area", "topic", "group", "chapter", "abschnitt",
        "kategorie", "bereich", "thema", "kapitel", "catégorie", "domaine", "thème", "sección",
        "categoría", "categoria", "dominio", "tema", "sezione", "categorie", "onderwerp",
    ),
}  # fmt: skip
WORD_CUES = 4  # a cell of at most this many words may name its column by one of them
# Words of an id that, beside a question word, make the cell an id ("Frage-Nr.", "Question #").
ID_WORDS = ("id", "#", "nr", "no", "number", "nummer", "numéro", "número", "num", "n°", "nº")
COLUMN_FIELDS = tuple(HEADER_WORDS)
LETTERS = re.compile(r"^[A-Za-z]{1,2}$")


@dataclass(frozen=True)
class Table:
    """One sheet, CSV, Word table, or the Word document's numbered paragraphs. `rows` hold
    cell text (each row as wide as the widest); `keys` locate each row in the file: the sheet's
    row number, the CSV record, the Word table row, or the paragraph's index. A sheet or CSV
    can take answers in new columns after its last; a Word table cannot grow."""

    name: str
    rows: list[list[str]]
    keys: list[int]
    kind: str = "rows"  # rows | paragraphs
    can_grow: bool = True

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


@dataclass(frozen=True)
class Mapping:
    table: str
    header_row: int
    question_column: int
    answer_column: int | None
    sources_column: int | None = None
    id_column: int | None = None
    section_column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_value(cls, value: object) -> Mapping:
        """A mapping from its dict form (as stored, or as a person chose it)."""
        if isinstance(value, Mapping):
            return value
        if not isinstance(value, dict):
            raise DraftInputError("Choose which columns hold the questions and the answers.")
        table = value.get("table")
        if not isinstance(table, str) or not table:
            raise DraftInputError("Choose the sheet or table that holds the questions.")
        header = value.get("header_row", 0)
        if isinstance(header, bool) or not isinstance(header, int) or header < 0:
            raise DraftInputError("The header row must be a row number (0 for none).")
        columns = {name: column_index(value.get(name), name) for name in COLUMN_FIELDS}
        question = columns.pop("question_column")
        if question is None:
            raise DraftInputError("Choose the column that holds the questions.")
        return cls(table=table, header_row=header, question_column=question, **columns)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(value: object, field: str = "column") -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())  # an index sent as text (a form or JSON field)
    elif isinstance(value, str) and LETTERS.match(value.strip()):
        index = 0
        for char in value.strip().upper():
            index = index * 26 + ord(char) - 64
        value = index - 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_COLUMNS:
        label = field.replace("_column", "").replace("_", " ")
        raise DraftInputError(f"The {label} column must be one of the first {MAX_COLUMNS}.")
    return value


def headers(table: Table, mapping_header_row: int) -> list[str]:
    row = table.rows[mapping_header_row - 1] if 0 < mapping_header_row <= len(table.rows) else []
    return [row[i] if i < len(row) else "" for i in range(table.width)]


def table_named(tables: list[Table], name: str) -> Table:
    for table in tables:
        if table.name == name:
            return table
    raise DraftInputError(f"The questionnaire has no sheet or table named {name!r}.")


def check(tables: list[Table], mapping: Mapping) -> Table:
    """The mapped table, once the mapping fits it; else a DraftInputError saying why."""
    table = table_named(tables, mapping.table)
    if mapping.header_row > min(len(table.rows), HEADER_SCAN * 2):
        raise DraftInputError("The header row must be one of the table's first rows.")
    if mapping.question_column >= max(table.width, 1):
        raise DraftInputError("The question column is outside the table.")
    if table.kind == "rows" and mapping.answer_column is None:
        raise DraftInputError("Choose the column the answers go in.")
    chosen = [
        getattr(mapping, name) for name in COLUMN_FIELDS if getattr(mapping, name) is not None
    ]
    if len(chosen) != len(set(chosen)):
        raise DraftInputError("Each column can be mapped once: choose different columns.")
    if not table.can_grow and table.kind == "rows" and max(chosen) >= table.width:
        raise DraftInputError("A Word table cannot grow: choose columns the table has.")
    return table


@dataclass(frozen=True)
class Question:
    title: str
    ref: str
    group: str
    row: dict[str, Any]


def questions(tables: list[Table], mapping: Mapping) -> list[Question]:
    """The mapped table's questions: every row below the header with question text."""
    table = check(tables, mapping)
    found = []
    for index in range(mapping.header_row, len(table.rows)):
        row = table.rows[index]
        title = " ".join(_cell(row, mapping.question_column).split())
        if not title:
            continue
        if len(title) > MAX_SECTION_TITLE:
            raise DraftInputError(
                f"The question in row {index + 1} is longer than {MAX_SECTION_TITLE} characters."
            )
        found.append(
            Question(
                title=title,
                ref=_cell(row, mapping.id_column)[:64],
                group=_cell(row, mapping.section_column)[:200],
                row={"table": table.name, "row": table.keys[index]},
            )
        )
        if len(found) > MAX_SECTIONS:
            raise DraftInputError(
                f"The questionnaire has more than {MAX_SECTIONS} questions; split it into "
                "smaller files."
            )
    if not found:
        raise DraftInputError("No questions were found in the chosen column.")
    return found


def _cell(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


def suggest(tables: list[Table]) -> Mapping:
    """The likeliest mapping: the table and header row whose names match most of the usual
    questionnaire headers, else the column with the longest text as the questions."""
    best: tuple[int, Mapping] | None = None
    for table in tables:
        mapping = suggest_for(table)
        score = _score(table, mapping)
        if best is None or score > best[0]:
            best = (score, mapping)
    if best is None:
        raise DraftInputError("The questionnaire has no table or list of questions.")
    return best[1]


def _score(table: Table, mapping: Mapping) -> int:
    header_bonus = 1000 if mapping.header_row else 0
    filled = sum(
        1 for row in table.rows[mapping.header_row :] if _cell(row, mapping.question_column)
    )
    return header_bonus + filled


def suggest_for(table: Table) -> Mapping:
    """The likeliest mapping within one table (a person may pick another table)."""
    if table.kind == "paragraphs":
        return Mapping(table.name, 0, question_column=1, answer_column=None, id_column=0)
    for number, row in enumerate(table.rows[:HEADER_SCAN], start=1):
        found = _match_headers(row)
        if _is_header(row, found):
            question = found.pop("question_column", None)
            if question is None:
                question = _longest_text_column(table, number, found.values())
            answer = found.pop("answer_column", None)
            if answer is None:
                answer = _free_column(table, question, number, [question, *found.values()])
            return Mapping(
                table.name, number, question_column=question, answer_column=answer, **found
            )
    question = _longest_text_column(table)
    answer = _free_column(table, question, 0, [question])
    return Mapping(table.name, 0, question_column=question, answer_column=answer)


def _is_header(row: list[str], found: dict[str, Any]) -> bool:
    """A header row, by its words: a question column or two others named, and at least half
    of its filled cells named (a row of answers may hold a word such as "Access control")."""
    filled = sum(1 for text in row if text.strip())
    return ("question_column" in found or len(found) >= 2) and 2 * len(found) >= filled


def _match_headers(row: list[str]) -> dict[str, Any]:
    """Exact header names first ("Question ID" is an id), then names a cell starts with, then a
    short cell's words ("Frage / Question")."""
    found: dict[str, Any] = {}
    cells = [_normal(text) for text in row[:MAX_COLUMNS]]
    for how in (_is, _starts, _has_word):
        for index, words in enumerate(cells):
            if index in found.values() or not words:
                continue
            for name, names in HEADER_WORDS.items():
                if name not in found and any(how(words, w) for w in names):
                    found[name] = index
                    break
    return found


def _normal(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(":").rstrip(".")


def _words(text: str) -> list[str]:
    return [w.rstrip(".:") for w in re.split(r"[\s/|,;()\[\]_\-–—]+", text) if w.rstrip(".:")]


def _is(cell: str, name: str) -> bool:
    return cell == name


def _starts(cell: str, name: str) -> bool:
    return cell.startswith(name + " ")


def _has_word(cell: str, name: str) -> bool:
    words = _words(cell)
    if len(words) > WORD_CUES or name not in words:
        return False
    # "Frage-Nr." or "Question #" name the id, "Yes / No" names no column
    is_id = any(w in ID_WORDS for w in words)
    if name in HEADER_WORDS["question_column"]:
        return not is_id
    return name != "no" or any(w in HEADER_WORDS["question_column"] for w in words)


def _longest_text_column(table: Table, header_row: int = 0, taken: Iterable[int] = ()) -> int:
    totals = [0] * max(table.width, 1)
    for row in table.rows[header_row:]:
        for index, text in enumerate(row):
            totals[index] += len(text)
    for index in taken:
        if index < len(totals):
            totals[index] = -1
    return totals.index(max(totals))


def _free_column(table: Table, question: int, header_row: int, taken: Iterable[int]) -> int | None:
    """Where answers can go: the first empty column right of the questions, else a new
    column after the last (a Word table has none to add)."""
    used = set(taken)
    for index in range(question + 1, table.width):
        if index not in used and not any(_cell(row, index) for row in table.rows[header_row:]):
            return index
    return min(table.width, MAX_COLUMNS - 1) if table.can_grow else None
