"""Hostile, broken or mislabelled questionnaires are refused with a message a person can act
on, before anything reads their contents (the import test proves nothing is stored)."""

from __future__ import annotations

import pytest

from lumikb_app.domain.drafting import MAX_IMPORT_BYTES, DraftInputError
from lumikb_app.services.drafting import questionnaire_read
from tests.unit.drafting import hostile_files as files

pytestmark = pytest.mark.unit


def _refused(filename: str, data: bytes) -> str:
    with pytest.raises(DraftInputError) as refused:
        questionnaire_read.parse(filename, data)
    return str(refused.value)


@pytest.mark.parametrize(
    ("filename", "build", "says"),
    [
        ("bomb.xlsx", files.zip_bomb_xlsx, "zip bomb"),
        ("lies.xlsx", files.lying_sizes_xlsx, "damaged or incomplete"),
        ("macro.xlsx", files.macro_xlsx, "macros"),
        ("macro.xlsx", files.macro_content_type_xlsx, "macro-enabled"),
        ("macro.docx", files.macro_docx, "macros"),
        ("entities.xlsx", files.entity_bomb_xlsx, "XML entities"),
        ("entities.xlsx", lambda: files.entity_bomb_xlsx(padding=70_000), "XML entities"),
        ("locked.xlsx", files.encrypted_entry_xlsx, "password-protected"),
        ("locked.xlsx", files.ole_encrypted, "password-protected"),
        ("locked.docx", files.ole_encrypted, "password-protected"),
        ("formula.xlsx", files.formula_xlsx, "Cell D2 of sheet 'Questions' holds a formula"),
        ("text.xlsx", files.text_formula_xlsx, "Cell C3 of sheet 'Questions' holds a formula"),
        ("dde.xlsx", files.dde_name_xlsx, "defined name 'launch' holds a formula"),
        ("remote.docx", files.remote_template_docx, "loads something from outside itself"),
        ("field.docx", files.dde_field_docx, "a field that fetches or runs something"),
        ("ole.docx", files.ole_object_docx, "embedded objects"),
    ],
)
def test_hostile_office_files_are_refused(filename, build, says):
    assert says in _refused(filename, build())


def test_macro_enabled_and_old_binary_extensions_are_refused_by_name():
    assert "can hold macros" in _refused("q.xlsm", files.workbook())
    assert "can hold macros" in _refused("q.docm", files.document_with_table())
    assert "Save the questionnaire as .xlsx" in _refused("q.xls", files.ole_encrypted())
    assert ".xlsx, .csv or .docx" in _refused("q.pdf", b"%PDF-1.7")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    message = _refused("big.csv", b"a" * (MAX_IMPORT_BYTES + 1))
    assert "the limit is 5 MB" in message


def test_an_empty_file_is_refused():
    assert "empty" in _refused("q.xlsx", b"")
    assert "empty" in _refused("q.csv", b"\n\n ,\n")


def test_truncated_files_are_refused_as_damaged():
    assert "damaged" in _refused("q.xlsx", files.workbook()[:-200])
    assert "damaged" in _refused("q.docx", files.document_with_table()[:3000])


def test_files_whose_extension_lies_are_refused():
    assert "may be a CSV or text file renamed" in _refused("q.xlsx", b"ID,Question\n1,Why?\n")
    assert "This .csv file is not text" in _refused("q.csv", files.workbook())
    assert "really a Word document" in _refused("q.xlsx", files.document_with_table())
    assert "really an Excel workbook" in _refused("q.docx", files.workbook())


@pytest.mark.parametrize(
    "cell",
    [
        "=1+2",
        '=HYPERLINK("http://evil.example","click")',
        "=cmd|' /C calc'!A0",
        "+SUM(A1:A3)",
        "-HYPERLINK(A1)",
        "@SUM(1,2)",
        "  =IMPORTXML(A1)",
        "+cmd|' /C calc'!A0",
    ],
)
def test_csv_injection_in_a_cell_is_refused(cell):
    data = f'ID,Question,Answer\nQ1,"{cell.replace(chr(34), chr(34) * 2)}",\n'.encode()
    assert "Row 2, column B holds a formula" in _refused("q.csv", data)


@pytest.mark.parametrize(
    "cell",
    [
        "-5 days",
        "- a bullet point",
        "+1 555 0100",
        "@team please",
        "-ISO27001 certified",
        "- Note (optional)",
    ],
)
def test_text_that_merely_starts_with_a_sign_is_accepted(cell):
    parsed = questionnaire_read.parse("q.csv", f"ID,Question\nQ1,{cell}\n".encode())
    assert parsed.tables[0].rows[1][1] == cell


def test_too_many_rows_or_columns_are_refused():
    rows = "".join(f"Q{i},Question {i}?\n" for i in range(2001))
    assert "more than 2000 rows" in _refused("q.csv", ("ID,Question\n" + rows).encode())
    wide = ",".join(f"c{i}" for i in range(51))
    assert "more than 50 columns" in _refused("q.csv", f"{wide}\n{wide}\n".encode())
    many = [[f"Q{i}", "S", f"Question {i}?", None, None] for i in range(2001)]
    assert "more than 2000 rows" in _refused("q.xlsx", files.workbook(many))


def test_text_in_no_known_encoding_and_binary_csv_are_refused():
    assert "not UTF-8 or Windows-1252" in _refused("q.csv", b"ID,Question\n1,\x81\x8d\x8f\n")
    assert "not text" in _refused("q.csv", b"ID,Question\x00\x01\x02\n")


def test_a_malformed_csv_is_refused():
    field = "x" * 200_000  # over the csv module's field limit
    assert "malformed" in _refused("q.csv", f'ID,Question\n1,"{field}"\n'.encode())


def test_a_defined_name_that_is_only_a_range_is_accepted():
    parsed = questionnaire_read.parse("q.xlsx", files.named_range_xlsx())
    assert [t.name for t in parsed.tables] == ["Questions", "Notes (v2)"]


def test_hyperlinks_and_an_embedded_chart_workbook_are_accepted():
    assert questionnaire_read.parse("q.xlsx", files.hyperlinked_xlsx()).tables
    assert questionnaire_read.parse("q.docx", files.embedded_workbook_docx()).tables


def test_a_template_on_a_network_share_is_refused_and_a_local_one_accepted():
    share = files.remote_template_docx(b"\\\\server\\share\\t.dotm")
    assert "loads something from outside itself" in _refused("q.docx", share)
    local = files.remote_template_docx(b"file:///C:/Users/ann/Templates/Vendor.dotx")
    assert questionnaire_read.parse("q.docx", local).tables


def test_documents_and_workbooks_too_long_to_read_quickly_are_refused():
    assert "more than 10000 paragraphs" in _refused("q.docx", files.many_paragraphs_docx(10_001))
    tables = files.many_table_rows_docx(tables=3, rows=1500)
    assert "tables have more than 4000 rows in all" in _refused("q.docx", tables)
    sheets = files.many_sheets_xlsx(sheets=6, rows=1800)
    assert "more than 10000 rows in all" in _refused("q.xlsx", sheets)


def test_long_but_bounded_files_are_read():
    assert len(questionnaire_read.parse("q.docx", files.many_table_rows_docx(2, 1500)).tables) == 3
    assert len(questionnaire_read.parse("q.xlsx", files.many_sheets_xlsx(5, 1800)).tables) == 5
