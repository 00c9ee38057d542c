"""Reading questionnaires: the PEP workbook, CSV dialects and encodings, Word tables and
numbered paragraphs, the suggested mapping, and a person's mapping checked against the file."""

from __future__ import annotations

import time

import pytest

from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.drafting import questionnaire_read
from lumikb_app.services.drafting.questionnaire_mapping import Mapping, questions
from tests.conftest import CORPORA
from tests.unit.drafting import hostile_files as files

pytestmark = pytest.mark.unit

PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"


def test_the_pep_questionnaire_is_read_with_its_columns_mapped():
    started = time.perf_counter()
    parsed = questionnaire_read.parse("peps-questionnaire.xlsx", PEPS.read_bytes())
    took = time.perf_counter() - started
    assert parsed.format == "xlsx"
    assert parsed.suggested == Mapping(
        table="Questionnaire",
        header_row=1,
        question_column=2,
        answer_column=3,
        sources_column=4,
        id_column=0,
        section_column=1,
    )
    found = questions(parsed.tables, parsed.suggested)
    assert [q.ref for q in found] == [f"Q{i:02d}" for i in range(1, 21)]
    assert found[1].group == "Code style"
    assert found[1].title.startswith("What naming conventions apply to constants")
    assert found[0].row == {"table": "Questionnaire", "row": 2}
    print(f"PEP questionnaire parsed in {took * 1000:.0f} ms")


def test_every_sheet_is_read_and_numbers_and_dates_read_as_text():
    import datetime

    data = files.workbook([["7", "S", "When?", 3.0, datetime.date(2026, 1, 2)]])
    parsed = questionnaire_read.parse("q.xlsx", data)
    assert [t.name for t in parsed.tables] == ["Questions", "Notes"]
    assert parsed.tables[0].rows[1] == ["7", "S", "When?", "3", "2026-01-02"]
    assert parsed.suggested.table == "Questions"


def test_a_semicolon_csv_in_windows_1252_is_read():
    text = 'Nr;Frage;Antwort\r\n1;Wie sichern Sie Daten? (Café);\r\n2;"Wer darf; deployen?";\r\n'
    parsed = questionnaire_read.parse("q.csv", text.encode("cp1252"))
    assert parsed.csv_dialect is not None
    assert parsed.csv_dialect.delimiter == ";"
    assert parsed.csv_dialect.encoding == "cp1252"
    assert parsed.csv_dialect.lineterminator == "\r\n"
    assert parsed.tables[0].rows[1][1] == "Wie sichern Sie Daten? (Café)"
    assert parsed.tables[0].rows[2][1] == "Wer darf; deployen?"


def test_apostrophes_are_not_taken_for_quotes():
    text = "ID,Question,Answer\nQ1,Is the 'root' account disabled?,\nQ2,'MFA' required?,\n"
    parsed = questionnaire_read.parse("q.csv", text.encode())
    assert [q.title for q in questions(parsed.tables, parsed.suggested)] == [
        "Is the 'root' account disabled?",
        "'MFA' required?",  # the sniffer alone reads "MFA required?"
    ]


def test_a_csv_with_a_bom_and_multi_line_cells_is_read():
    text = 'ID,Question,Answer\nQ1,"Describe backups:\nfrequency and retention",\n'
    parsed = questionnaire_read.parse("q.csv", text.encode("utf-8-sig"))
    assert parsed.csv_dialect is not None and parsed.csv_dialect.encoding == "utf-8-sig"
    assert parsed.tables[0].rows[0] == ["ID", "Question", "Answer"]
    (question,) = questions(parsed.tables, parsed.suggested)
    assert question.title == "Describe backups: frequency and retention"
    assert question.row == {"table": "CSV", "row": 1}


def test_a_tab_separated_utf16_csv_is_read():
    data = "ID\tQuestion\tAnswer\r\nQ1\tWho signs releases (Zoë)?\t\r\n".encode("utf-16")
    parsed = questionnaire_read.parse("q.csv", data)
    assert parsed.csv_dialect is not None
    assert (parsed.csv_dialect.encoding, parsed.csv_dialect.delimiter) == ("utf-16", "\t")
    assert [q.title for q in questions(parsed.tables, parsed.suggested)] == [
        "Who signs releases (Zoë)?"
    ]


def test_a_word_table_is_read_with_its_header():
    parsed = questionnaire_read.parse("q.docx", files.document_with_table())
    assert parsed.suggested.table == "Table 1"
    assert (parsed.suggested.question_column, parsed.suggested.answer_column) == (1, 2)
    found = questions(parsed.tables, parsed.suggested)
    assert [q.title for q in found][:1] == ["How are backups made?"]
    assert [q.ref for q in found] == ["1", "2", "3"]
    assert found[0].row == {"table": "Table 1", "row": 1}


def test_numbered_paragraphs_are_read_when_there_is_no_table():
    parsed = questionnaire_read.parse("q.docx", files.document_with_numbered_questions())
    (table,) = parsed.tables
    assert table.kind == "paragraphs"
    found = questions(parsed.tables, parsed.suggested)
    assert [(q.ref, q.title) for q in found] == [
        ("1", "How are backups made?"),
        ("2", "Who may deploy to production?"),
        ("3", "How is access reviewed?"),
    ]
    assert found[0].row == {"table": "Numbered questions", "row": 2}  # after heading, intro


def test_without_a_header_the_longest_column_holds_the_questions():
    data = b"1,How are backups made and how often are they tested?\n2,Who may deploy?\n"
    parsed = questionnaire_read.parse("q.csv", data)
    assert (parsed.suggested.header_row, parsed.suggested.question_column) == (0, 1)
    assert parsed.suggested.answer_column == 2  # a new column after the last
    assert len(questions(parsed.tables, parsed.suggested)) == 2


def test_a_question_id_header_is_the_id_not_the_question():
    data = b"Question ID,Question,Response\nA.1,Why?,\n"
    suggested = questionnaire_read.parse("q.csv", data).suggested
    assert (suggested.id_column, suggested.question_column, suggested.answer_column) == (0, 1, 2)


def test_a_mapping_may_name_columns_by_letter():
    parsed = questionnaire_read.parse("peps.xlsx", PEPS.read_bytes())
    mapping = Mapping.from_value(
        {"table": "Questionnaire", "header_row": 1, "question_column": "c", "answer_column": "F"}
    )
    assert (mapping.question_column, mapping.answer_column) == (2, 5)
    as_text = Mapping.from_value({"table": "T", "question_column": "2", "answer_column": " 3 "})
    assert (as_text.question_column, as_text.answer_column) == (2, 3)
    assert len(questions(parsed.tables, mapping)) == 20


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"table": "Sheet9"}, "no sheet or table named 'Sheet9'"),
        ({"answer_column": None}, "Choose the column the answers go in"),
        ({"answer_column": "C"}, "Each column can be mapped once"),
        ({"question_column": None}, "Choose the column that holds the questions"),
        ({"question_column": "Z"}, "question column is outside the table"),
        ({"sources_column": 99}, "sources column must be one of the first 50"),
        ({"header_row": -1}, "header row must be a row number"),
        ({"header_row": 21}, "header row must be one of the table's first rows"),
        ({"question_column": "D", "answer_column": "F"}, "No questions were found"),
    ],
)
def test_a_mapping_that_does_not_fit_the_file_is_refused(change, says):
    parsed = questionnaire_read.parse("peps.xlsx", PEPS.read_bytes())
    value = {**parsed.suggested.to_dict(), **change}
    with pytest.raises(DraftInputError, match=says):
        questions(parsed.tables, Mapping.from_value(value))


def test_more_questions_than_a_draft_holds_are_refused():
    rows: list[list[object]] = [[f"Q{i}", "S", f"Question {i}?", None, None] for i in range(301)]
    parsed = questionnaire_read.parse("q.xlsx", files.workbook(rows))
    with pytest.raises(DraftInputError, match="more than 300 questions"):
        questions(parsed.tables, parsed.suggested)


def test_a_question_longer_than_a_section_title_is_refused():
    parsed = questionnaire_read.parse("q.xlsx", files.workbook([["Q1", "S", "Why? " * 500, None]]))
    with pytest.raises(DraftInputError, match="row 2 is longer than 2000 characters"):
        questions(parsed.tables, parsed.suggested)


def test_a_filename_is_kept_readable_but_safe():
    parsed = questionnaire_read.parse("../../etc/Vendör Q&A (v2).csv", b"ID,Question\n1,Why?\n")
    assert parsed.filename == "Vendör Q_A (v2).csv"


def test_a_word_table_takes_answers_in_its_own_empty_column_and_cannot_grow():
    blank = questionnaire_read.parse(
        "q.docx", files.document_with_table_headers(["#", "Question", ""])
    )
    assert (blank.suggested.question_column, blank.suggested.answer_column) == (1, 2)
    full = questionnaire_read.parse(
        "q.docx", files.document_with_table_headers(["#", "Question", "Owner"], filler="Ops")
    )
    assert full.suggested.answer_column is None  # nowhere to write: the person must choose
    grown = {**full.suggested.to_dict(), "answer_column": 3}
    with pytest.raises(DraftInputError, match="A Word table cannot grow"):
        questions(full.tables, Mapping.from_value(grown))
    answer_in_owner = {**full.suggested.to_dict(), "answer_column": 2}
    assert len(questions(full.tables, Mapping.from_value(answer_in_owner))) == 3


def test_a_free_column_right_of_the_questions_takes_the_answers():
    data = b"ID,Question,Comments,Owner\nQ1,Why?,,Ops\nQ2,How?,,Ops\n"
    suggested = questionnaire_read.parse("q.csv", data).suggested
    assert (suggested.question_column, suggested.answer_column) == (1, 2)


def test_word_list_numbering_counts_as_numbered_questions():
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Answer each question below.")
    for _, _, question, _, _ in files.QUESTIONS:
        document.add_paragraph(question, style="List Number")
    data = io.BytesIO()
    document.save(data)
    parsed = questionnaire_read.parse("q.docx", data.getvalue())
    found = questions(parsed.tables, parsed.suggested)
    assert [(q.ref, q.title, q.row["row"]) for q in found] == [
        ("1", "How are backups made?", 1),
        ("2", "Who may deploy to production?", 2),
        ("3", "How is access reviewed?", 3),
    ]


def test_a_header_row_is_known_by_its_words_in_another_language():
    data = "Nr;Frage / Question;Antwort\r\n1;Wie sichern Sie Daten?;\r\n2;Wer darf ausrollen?;\r\n"
    parsed = questionnaire_read.parse("q.csv", data.encode("cp1252"))
    suggested = parsed.suggested
    assert suggested.header_row == 1
    assert (suggested.id_column, suggested.question_column, suggested.answer_column) == (0, 1, 2)
    found = questions(parsed.tables, suggested)
    assert [(q.ref, q.title) for q in found] == [
        ("1", "Wie sichern Sie Daten?"),
        ("2", "Wer darf ausrollen?"),
    ]


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        ("ID,Question,Answer,Sources", (0, 1, 2, 3)),
        ("Nr.,Frage,Antwort,Quellen", (0, 1, 2, 3)),
        ("N°,Question,Réponse,Références", (0, 1, 2, 3)),
        ("Número,Pregunta,Respuesta,Fuentes", (0, 1, 2, 3)),
        ("Frage-Nr.,Fragestellung (Text),Antwort des Anbieters,Quellen", (0, 1, 2, 3)),
        ("#,Text,Response (vendor),Evidence", (0, 1, 2, 3)),
    ],
)
def test_existing_answer_and_sources_columns_are_found_in_common_languages(header, columns):
    data = f"{header}\nQ1,How are backups made and tested?,,\n".encode()
    suggested = questionnaire_read.parse("q.csv", data).suggested
    assert suggested.header_row == 1
    found = (
        suggested.id_column,
        suggested.question_column,
        suggested.answer_column,
        suggested.sources_column,
    )
    assert found == columns


def test_a_yes_no_column_is_not_taken_for_the_id():
    data = b"Question,Yes / No,Answer\nDo you encrypt backups?,,\n"
    suggested = questionnaire_read.parse("q.csv", data).suggested
    assert (suggested.question_column, suggested.id_column, suggested.answer_column) == (0, None, 2)


def test_a_first_row_of_answers_with_a_header_word_in_it_is_not_a_header():
    data = b"A.1,Access control,Who reviews access and how often is it reviewed?,\n"
    suggested = questionnaire_read.parse("q.csv", data).suggested
    assert (suggested.header_row, suggested.question_column) == (0, 2)
