"""What a filled-in workbook keeps (pictures) and what the preview warns it will not (shapes,
threaded comments, slicers)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from lumikb_app.db.tables import DraftSection
from lumikb_app.domain.drafting import QuestionnaireFormat
from lumikb_app.services.drafting import questionnaire_fidelity, questionnaire_read
from lumikb_app.services.drafting.questionnaire_export import fill_questionnaire
from lumikb_app.services.drafting.questionnaire_mapping import questions
from tests.conftest import CORPORA
from tests.unit.drafting import hostile_files as files

pytestmark = pytest.mark.unit

XLSX = QuestionnaireFormat.xlsx


def test_a_picture_on_the_sheet_is_kept_in_the_filled_in_copy():
    data = files.picture_xlsx()
    parsed = questionnaire_read.parse("q.xlsx", data)
    first = questions(parsed.tables, parsed.suggested)[0]
    section = DraftSection(draft_id="d", position=0, title=first.title, row=first.row)
    section.content = "Nightly."
    out = fill_questionnaire(XLSX, data, parsed.suggested, [section], "https://kb.example.com")
    sheet = openpyxl.load_workbook(io.BytesIO(out))["Questions"]
    assert len(sheet._images) == 1 and sheet["D2"].value == "Nightly."
    assert questionnaire_fidelity.notes(XLSX, data) == []


def test_the_preview_says_what_the_filled_in_copy_will_not_keep():
    assert questionnaire_fidelity.notes(XLSX, files.shape_xlsx()) == [
        questionnaire_fidelity.SHAPES_NOTE
    ]
    threaded = files.with_parts(files.workbook(), {"xl/threadedComments/t1.xml": b"<x/>"})
    assert questionnaire_fidelity.notes(XLSX, threaded) == [
        "Threaded comments are kept only as plain notes."
    ]


def test_the_pep_workbook_and_word_files_lose_nothing():
    peps = (CORPORA / "questionnaire" / "peps-questionnaire.xlsx").read_bytes()
    assert questionnaire_fidelity.notes(XLSX, peps) == []
    docx_file = files.document_with_table()
    assert questionnaire_fidelity.notes(QuestionnaireFormat.docx, docx_file) == []
