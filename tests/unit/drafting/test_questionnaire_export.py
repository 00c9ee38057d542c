"""The exported questionnaire is the same file with answers and sources in the mapped cells,
read back with openpyxl, python-docx and csv: styles, widths, other sheets and other columns
kept, and nothing written that a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from typing import Any

import docx
import openpyxl
import pytest

from lumikb_app.db.tables import DraftSection
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, NOT_COVERED_TEXT
from lumikb_app.services.drafting import questionnaire_read
from lumikb_app.services.drafting.questionnaire_export import fill_questionnaire
from lumikb_app.services.drafting.questionnaire_mapping import questions
from tests.conftest import CORPORA
from tests.unit.drafting import hostile_files as files

pytestmark = pytest.mark.unit

PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"
BASE = "https://kb.example.com/"


def _source(n: int, name: str, page: int | None = 3) -> dict[str, Any]:
    return {
        "n": n,
        "document_name": name,
        "page": page,
        "href": f"/view/doc-{n}?chunk=c{n}&page={page or ''}&version=1",
    }


def _sections(filename: str, data: bytes, answers: list[tuple[str, list[dict[str, Any]]]]):
    parsed = questionnaire_read.parse(filename, data)
    found = questions(parsed.tables, parsed.suggested)
    sections = [
        DraftSection(
            draft_id="d", position=i, title=q.title, row=q.row, content=content, sources=sources
        )
        for i, (q, (content, sources)) in enumerate(zip(found, answers, strict=False))
    ]
    return parsed, sections


def _export(filename: str, data: bytes, answers) -> bytes:
    parsed, sections = _sections(filename, data, answers)
    return fill_questionnaire(parsed.format, data, parsed.suggested.to_dict(), sections, BASE)


def test_the_pep_workbook_gets_answers_and_sources_in_their_columns():
    answers = [
        ("Flat is better than nested [1].", [_source(1, "pep-0020.txt", None)]),
        ("Constants use UPPER_CASE [1]; lines stop at 79 characters [2].",
         [_source(1, "pep-0008.txt"), _source(2, "pep-0008.txt", 4)]),
        (NOT_COVERED_TEXT, []),
    ]  # fmt: skip
    out = _export("peps-questionnaire.xlsx", PEPS.read_bytes(), answers)
    original = openpyxl.load_workbook(PEPS)["Questionnaire"]
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questionnaire"]
    assert sheet["D2"].value == "Flat is better than nested [1]."
    assert sheet["E2"].value == (
        "[1] pep-0020.txt — https://kb.example.com/view/doc-1?chunk=c1&page=&version=1"
    )
    assert sheet["E3"].value.splitlines() == [
        "[1] pep-0008.txt, p. 3 — https://kb.example.com/view/doc-1?chunk=c1&page=3&version=1",
        "[2] pep-0008.txt, p. 4 — https://kb.example.com/view/doc-2?chunk=c2&page=4&version=1",
    ]
    assert sheet["D4"].value == NOT_COVERED_TEXT and sheet["E4"].value is None
    assert sheet["D5"].value is None  # a question without an answer stays empty
    for row in range(1, 22):  # the questions, ids and sections are untouched
        assert [sheet.cell(row, c).value for c in (1, 2, 3)] == [
            original.cell(row, c).value for c in (1, 2, 3)
        ]
    assert sheet["A1"].font.b and sheet["D2"].alignment.wrap_text
    assert sheet.column_dimensions["C"].width == original.column_dimensions["C"].width == 80
    assert sheet.column_dimensions["D"].width == 80  # the author's width is kept
    assert sheet.column_dimensions["E"].width == 60  # it had none: widened so a source fits
    heights = {row: sheet.row_dimensions[row].height for row in (2, 3, 4, 5)}
    assert heights[3] > heights[2] > 15 and heights[4] > 15  # rows grow to their wrapped text
    assert heights[5] is None  # an unanswered row keeps its default height


def test_a_filled_cell_that_did_not_wrap_now_wraps_and_keeps_its_other_styles():
    book = openpyxl.load_workbook(io.BytesIO(files.workbook()))
    book["Questions"]["D2"].font = openpyxl.styles.Font(italic=True, color="C00000")
    data = io.BytesIO()
    book.save(data)
    out = _export("q.xlsx", data.getvalue(), [("Nightly, and tested every month. " * 6, [])])
    cell = openpyxl.load_workbook(io.BytesIO(out))["Questions"]["D2"]
    assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert cell.font.i and cell.font.color.rgb == "00C00000"


def test_styles_widths_and_other_sheets_are_kept():
    out = _export(
        "q.xlsx", files.workbook(), [("Nightly, tested monthly [1].", [_source(1, "ops.md")])]
    )
    book = openpyxl.load_workbook(io.BytesIO(out))
    assert book.sheetnames == ["Questions", "Notes"]
    assert book["Notes"]["A1"].value == "Return by Friday."
    sheet = book["Questions"]
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "001F4E78"
    assert sheet.column_dimensions["C"].width == 60 and sheet.column_dimensions["D"].width == 70
    assert sheet["D2"].value == "Nightly, tested monthly [1]."
    assert sheet["E2"].value.startswith("[1] ops.md, p. 3 — https://kb.example.com/view/doc-1")


def test_an_answer_that_looks_like_a_formula_is_written_as_text():
    out = _export("q.xlsx", files.workbook(), [("=SUM(1,2) is what the sheet says [1].", [])])
    cell = openpyxl.load_workbook(io.BytesIO(out))["Questions"]["D2"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == "=SUM(1,2) is what the sheet says [1]."


def test_without_a_sources_column_the_sources_follow_the_answer():
    data = files.workbook([["Q1", "S", "Why?", None, None]])
    parsed, sections = _sections("q.xlsx", data, [("Because [1].", [_source(1, "why.md")])])
    mapping = {**parsed.suggested.to_dict(), "sources_column": None}
    out = fill_questionnaire("xlsx", data, mapping, sections, BASE)
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questions"]
    assert sheet["D2"].value.splitlines()[:3] == ["Because [1].", "", "Sources:"]
    assert sheet["E2"].value is None


def test_markdown_marks_go_and_citation_markers_stay():
    content = (
        "## Summary\n\n**Backups** run nightly with `restic` [1]; see "
        "[the runbook](https://wiki.example/backups).\n\n- daily\n- weekly [2]\n\n"
        "```\nrestic backup /srv\n```"
    )
    out = _export("q.xlsx", files.workbook(), [(content, [_source(1, "ops.md")])])
    value = openpyxl.load_workbook(io.BytesIO(out))["Questions"]["D2"].value
    assert value == (
        "Summary\n\nBackups run nightly with restic [1]; see the runbook "
        "(https://wiki.example/backups).\n\n• daily\n• weekly [2]\n\nrestic backup /srv"
    )


def test_an_answer_that_is_a_list_is_not_mangled_in_a_csv():
    data = b"ID,Question,Answer\nQ1,What is kept?,\n"
    out = _export("q.csv", data, [("- logs\n- backups", [])])
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    assert rows[1][2] == "• logs\n• backups"


def test_a_csv_keeps_its_dialect_encoding_and_other_columns():
    text = "No;Question;Answer;Note\r\n1;Wie sichern Sie Daten (Büro)?;;intern\r\n2;Wer?;;\r\n"
    data = text.encode("cp1252")
    out = _export("q.csv", data, [("Nächtlich [1].", [_source(1, "ops.md")]), ("-Niemand", [])])
    assert b"\r\n" in out and out.decode("cp1252").startswith("No;Question;Answer;Note\r\n")
    rows = list(csv.reader(io.StringIO(out.decode("cp1252"), newline=""), delimiter=";"))
    assert rows[1][:2] == ["1", "Wie sichern Sie Daten (Büro)?"] and rows[1][3] == "intern"
    assert rows[1][2].startswith("Nächtlich [1].\n\nSources:\n[1] ops.md, p. 3 — https://")
    assert rows[2][2] == "'-Niemand"  # never read as a formula


def test_a_utf16_tab_separated_csv_stays_so():
    data = "ID\tQuestion\tAnswer\r\nQ1\tWho signs releases?\t\r\n".encode("utf-16")
    out = _export("q.csv", data, [("Zoë does [1].", [_source(1, "release.md")])])
    assert out.startswith(b"\xff\xfe")
    rows = list(csv.reader(io.StringIO(out.decode("utf-16"), newline=""), delimiter="\t"))
    assert rows[1][2].startswith("Zoë does [1].")


def test_a_csv_without_an_answer_column_gets_one():
    data = b"ID,Question\nQ1,How are backups made?\nQ2,Who may deploy?\n"
    out = _export("q.csv", data, [("Nightly [1].", [_source(1, "ops.md")])])
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    assert rows[0] == ["ID", "Question", "Answer"]
    assert rows[1][:2] == ["Q1", "How are backups made?"]
    assert rows[1][2].startswith("Nightly [1].")
    assert rows[2] == ["Q2", "Who may deploy?"]


def test_a_word_table_gets_answers_in_its_answer_cells():
    data = files.document_with_table()
    out = _export("q.docx", data, [("Nightly [1].\nTested monthly.", [_source(1, "ops.md")])])
    document = docx.Document(io.BytesIO(out))
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["No.", "Question", "Answer"]
    answer = [p.text for p in table.rows[1].cells[2].paragraphs]
    assert answer[:2] == ["Nightly [1].", "Tested monthly."]
    assert answer[3] == "Sources:" and answer[4].startswith("[1] ops.md, p. 3 — https://")
    assert table.rows[2].cells[2].text == ""
    assert document.paragraphs[0].text == "Security questionnaire"


def test_numbered_questions_get_their_answer_right_after_them():
    data = files.document_with_numbered_questions()
    answers = [("Nightly [1].", [_source(1, "ops.md")]), ("", []), ("Quarterly.", [])]
    out = _export("q.docx", data, answers)
    paragraphs = docx.Document(io.BytesIO(out)).paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[2:9] == [
        "1. How are backups made?",
        "Nightly [1].",
        "Sources:",
        "[1] ops.md, p. 3 — https://kb.example.com/view/doc-1?chunk=c1&page=3&version=1",
        "2. Who may deploy to production?",
        "3. How is access reviewed?",
        "Quarterly.",
    ]
    assert texts[-1] == "Thank you."
    answer, source = paragraphs[3], paragraphs[5]
    assert answer.style.name == "Normal" and answer.paragraph_format.left_indent.pt == 18
    assert source.runs[0].font.size.pt == 9
    assert paragraphs[2].paragraph_format.left_indent is None  # the question is untouched


def test_a_merged_answer_cell_is_filled_through_its_top_cell():
    book = openpyxl.load_workbook(io.BytesIO(files.workbook()))
    book["Questions"].merge_cells("D2:D3")
    data = io.BytesIO()
    book.save(data)
    out = _export("q.xlsx", data.getvalue(), [("Nightly.", []), ("Twice.", [])])
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questions"]
    assert sheet["D2"].value == "Twice."  # the later row wrote through the same merged cell
    assert "D2:D3" in [str(r) for r in sheet.merged_cells.ranges]


def test_control_characters_go_and_an_overlong_answer_is_cut_to_what_excel_holds():
    content = "Bell\x07 and form feed\x0c gone. " + "x" * 40_000
    out = _export("q.xlsx", files.workbook(), [(content, [])])
    value = openpyxl.load_workbook(io.BytesIO(out))["Questions"]["D2"].value
    assert value.startswith("Bell and form feed gone. ")
    assert len(value) == 32_000 and value.endswith("…")
    docx_out = _export("q.docx", files.document_with_table(), [("Bell\x07 gone.", [])])
    assert docx.Document(io.BytesIO(docx_out)).tables[0].rows[1].cells[2].text == "Bell gone."


def test_a_word_answer_cell_merged_with_the_question_is_left_alone():
    document = docx.Document(io.BytesIO(files.document_with_table()))
    row = document.tables[0].rows[1]
    row.cells[1].merge(row.cells[2])
    data = io.BytesIO()
    document.save(data)
    parsed, sections = _sections("q.docx", data.getvalue(), [("Nightly.", []), ("Ops.", [])])
    out = fill_questionnaire("docx", data.getvalue(), parsed.suggested, sections, BASE)
    table = docx.Document(io.BytesIO(out)).tables[0]
    assert table.rows[1].cells[1].text == "How are backups made?"
    assert table.rows[2].cells[2].text == "Ops."


def test_a_sheet_without_a_print_setup_prints_one_page_wide_with_its_header():
    out = _export("peps-questionnaire.xlsx", PEPS.read_bytes(), [("Flat [1].", [])])
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questionnaire"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"


def test_the_authors_print_setup_is_kept():
    book = openpyxl.load_workbook(io.BytesIO(files.workbook()))
    book["Questions"].page_setup.orientation = "portrait"
    book["Questions"].page_setup.scale = 80
    data = io.BytesIO()
    book.save(data)
    out = _export("q.xlsx", data.getvalue(), [("Nightly.", [])])
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questions"]
    assert (sheet.page_setup.orientation, sheet.page_setup.scale) == ("portrait", 80)
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage


def test_a_new_answer_column_gets_a_header_styled_like_its_neighbour():
    data = files.workbook([["Q1", "S", "Why?"]])
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Questions"].delete_cols(4, 2)  # no Answer or Sources columns
    saved = io.BytesIO()
    book.save(saved)
    out = _export("q.xlsx", saved.getvalue(), [("Because [1].", [_source(1, "why.md")])])
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questions"]
    assert [c.value for c in sheet[1]] == ["ID", "Section", "Question", "Answer"]
    assert sheet["D1"].font.b and sheet["D1"].fill.fgColor.rgb == "001F4E78"
    assert sheet["D2"].value.startswith("Because [1].\n\nSources:\n[1] why.md")


CODE_ANSWER = (
    "The encoding is declared in a comment [1]:\n\n"
    "```python\n# coding=<encoding name>\ndef f():\n    return '**not bold**'\n```\n\n"
    "    #!/usr/bin/env python\n    # -*- coding: latin-1 -*-\n\n"
    "*Either* form works, see `# vim: set fileencoding` and [PEP 263](https://peps.example/263)."
)
CODE_PLAIN = (
    "The encoding is declared in a comment [1]:\n\n"
    "# coding=<encoding name>\ndef f():\n    return '**not bold**'\n\n"
    "#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n\n"
    "Either form works, see # vim: set fileencoding and PEP 263 (https://peps.example/263)."
)


def test_code_in_an_answer_keeps_every_character_in_a_workbook_a_csv_and_a_word_list():
    answers = [(CODE_ANSWER, [_source(1, "pep-0263.txt")])]
    sheet = openpyxl.load_workbook(io.BytesIO(_export("q.xlsx", files.workbook(), answers)))
    assert sheet["Questions"]["D2"].value == CODE_PLAIN
    out = _export("q.csv", b"ID,Question,Answer,Sources\nQ1,Which encoding?,,\n", answers)
    assert list(csv.reader(io.StringIO(out.decode(), newline="")))[1][2] == CODE_PLAIN
    out = _export("q.docx", files.document_with_numbered_questions(), answers)
    texts = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert texts[3 : 3 + len(CODE_PLAIN.split("\n"))] == CODE_PLAIN.split("\n")


def test_the_extractive_note_is_not_in_the_customers_file():
    answer = f"Flat is better than nested [1].\n\n{EXTRACTIVE_NOTE}"
    answers = [(answer, [_source(1, "pep-0020.txt")]), (answer, [_source(1, "pep-0020.txt")])]
    sheet = openpyxl.load_workbook(io.BytesIO(_export("q.xlsx", files.workbook(), answers)))
    assert sheet["Questions"]["D2"].value == "Flat is better than nested [1]."
    csv_out = _export("q.csv", b"ID,Question,Answer\nQ1,Nested?,\nQ2,Flat?,\n", answers)
    docx_table = _export("q.docx", files.document_with_table(), answers)
    docx_list = _export("q.docx", files.document_with_numbered_questions(), answers)
    texts = [
        csv_out.decode(),
        *(c.text for c in docx.Document(io.BytesIO(docx_table)).tables[0]._cells),
        *(p.text for p in docx.Document(io.BytesIO(docx_list)).paragraphs),
        *(str(c.value) for row in sheet["Questions"].iter_rows() for c in row),
    ]
    assert not [text for text in texts if "no language model" in text]
    assert "Flat is better than nested [1]." in csv_out.decode()


def test_a_german_csv_header_stays_a_header_and_its_answer_column_is_filled():
    data = "Nr;Frage / Question;Antwort\r\n1;Wie sichern Sie Daten?;\r\n2;Wer darf ins Büro?;\r\n"
    out = _export("q.csv", data.encode("cp1252"), [("Nächtlich [1].", []), (NOT_COVERED_TEXT, [])])
    rows = list(csv.reader(io.StringIO(out.decode("cp1252"), newline=""), delimiter=";"))
    assert rows == [
        ["Nr", "Frage / Question", "Antwort"],
        ["1", "Wie sichern Sie Daten?", "Nächtlich [1]."],
        ["2", "Wer darf ins Büro?", NOT_COVERED_TEXT],
    ]
