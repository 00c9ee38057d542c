"""Importing a questionnaire: the PEP questionnaire becomes a draft with one section per
question and its original file kept in the blob store; a refused file, a KB the user may not
read, or a failed insert leave no draft, no file and no audit row behind."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, Draft, DraftSection, OutboxEvent
from lumikb_app.domain.drafting import MAX_IMPORT_BYTES, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import drafts, questionnaire_import
from lumikb_app.services.drafting.questionnaire_export import fill_questionnaire
from lumikb_app.services.platform.transactions import read_session, transaction
from tests.conftest import CORPORA
from tests.integration.retrieval.search_helpers import World, make_world
from tests.unit.drafting import hostile_files as files

pytestmark = pytest.mark.integration

PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


def _rows() -> tuple[int, int]:
    with read_session() as session:
        return len(session.exec(select(AuditEvent)).all()), len(
            session.exec(select(OutboxEvent)).all()
        )


def _nothing_stored(before: tuple[int, int]) -> None:
    """No draft, section, file, audit row or outbox announcement was added."""
    with read_session() as session:
        assert session.exec(select(Draft)).all() == []
        assert session.exec(select(DraftSection)).all() == []
    assert _rows() == before
    assert list(get_container().blobs.list_keys("drafts/")) == []


def _formula_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Question", "Answer"])
    sheet.append(["Q1", "How are backups made?", None])
    sheet["C2"] = '=HYPERLINK("http://evil.example","click")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_pep_questionnaire_becomes_a_draft_with_its_file_kept(world):
    data = PEPS.read_bytes()
    draft = questionnaire_import.create_from_questionnaire(
        world.reader, "PEP questionnaire", [world.kb_a], "peps-questionnaire.xlsx", data
    )
    opened = drafts.open_draft(world.reader, draft.id)
    assert opened.draft.source_kind == "questionnaire"
    assert len(opened.sections) == 20
    first = opened.sections[0]
    assert (first.ref, first.group, first.status) == ("Q01", "Language design", "empty")
    assert first.title.startswith("Which principles guide the design of the language")
    assert first.row == {"table": "Questionnaire", "row": 2}
    assert opened.sections[-1].row == {"table": "Questionnaire", "row": 21}
    record = opened.draft.questionnaire
    assert record["blob_key"] == f"drafts/{draft.id}/source/peps-questionnaire.xlsx"
    assert (record["format"], record["filename"]) == ("xlsx", "peps-questionnaire.xlsx")
    assert record["mapping"]["question_column"] == 2 and record["mapping"]["answer_column"] == 3
    assert b"".join(get_container().blobs.get(record["blob_key"])) == data
    with read_session() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "draft.create")).all()
        announced = session.exec(select(OutboxEvent)).all()
    assert [(e.target, e.details["source"], e.details["sections"]) for e in events] == [
        (draft.id, "questionnaire", 20)
    ]
    assert all(event.processed_at is not None for event in announced)


def test_a_chosen_mapping_is_used_and_kept(world):
    mapping = {
        "table": "Questionnaire",
        "header_row": 1,
        "question_column": "C",
        "answer_column": "D",
        "sources_column": None,
        "id_column": "A",
        "section_column": None,
    }
    draft = questionnaire_import.create_from_questionnaire(
        world.reader, "PEPs", [world.kb_a], "peps.xlsx", PEPS.read_bytes(), mapping
    )
    opened = drafts.open_draft(world.reader, draft.id)
    assert opened.draft.questionnaire["mapping"]["sources_column"] is None
    assert opened.sections[0].group == ""


@pytest.mark.parametrize(
    ("filename", "build", "says"),
    [
        ("formula.xlsx", _formula_workbook, "holds a formula"),
        ("bomb.xlsx", files.zip_bomb_xlsx, "zip bomb"),
        ("macro.xlsx", files.macro_xlsx, "macros"),
        ("locked.xlsx", files.ole_encrypted, "password-protected"),
        ("huge.csv", lambda: b"a" * (MAX_IMPORT_BYTES + 1), "the limit is 5 MB"),
        ("inject.csv", lambda: b"ID,Question\nQ1,=cmd|' /C calc'!A0\n", "holds a formula"),
        ("renamed.xlsx", lambda: b"ID,Question\nQ1,Why?\n", "renamed"),
        ("cut.docx", lambda: files.document_with_table()[:2000], "damaged"),
    ],
)
def test_a_refused_file_leaves_no_draft_file_or_audit_row(world, filename, build, says):
    before = _rows()
    with pytest.raises(DraftInputError, match=says):
        questionnaire_import.create_from_questionnaire(
            world.reader, "Refused", [world.kb_a], filename, build()
        )
    _nothing_stored(before)


def test_csv_and_word_questionnaires_become_drafts(world):
    csv_draft = questionnaire_import.create_from_questionnaire(
        world.reader, "CSV", [world.kb_a], "q.csv", b"ID;Question;Answer\nQ1;Why?;\nQ2;How?;\n"
    )
    word_draft = questionnaire_import.create_from_questionnaire(
        world.reader, "Word", [world.kb_a], "q.docx", files.document_with_numbered_questions()
    )
    csv_sections = drafts.open_draft(world.reader, csv_draft.id).sections
    assert [(s.ref, s.title, s.row) for s in csv_sections] == [
        ("Q1", "Why?", {"table": "CSV", "row": 1}),
        ("Q2", "How?", {"table": "CSV", "row": 2}),
    ]
    word = drafts.open_draft(world.reader, word_draft.id)
    assert word.draft.questionnaire["format"] == "docx"
    assert [s.row["row"] for s in word.sections] == [2, 3, 4]


def test_the_user_must_read_every_chosen_kb(world):
    before = _rows()
    with pytest.raises(PermissionDenied):
        questionnaire_import.create_from_questionnaire(
            world.reader, "PEPs", [world.kb_a, world.kb_b], "peps.xlsx", PEPS.read_bytes()
        )
    _nothing_stored(before)


def test_a_failed_insert_removes_the_stored_file(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise DraftInputError("refused by the test")

    monkeypatch.setattr(questionnaire_import, "new_draft", refuse)
    with pytest.raises(DraftInputError, match="refused by the test"):
        questionnaire_import.create_from_questionnaire(
            world.reader, "PEPs", [world.kb_a], "peps.xlsx", PEPS.read_bytes()
        )
    with read_session() as session:
        assert session.exec(select(Draft)).all() == []
        assert all(e.processed_at is not None for e in session.exec(select(OutboxEvent)))
    assert list(get_container().blobs.list_keys("drafts/")) == []


def test_preview_shows_the_columns_rows_and_suggested_mapping(world):
    before = _rows()
    preview = questionnaire_import.preview_questionnaire(
        world.reader, "peps-questionnaire.xlsx", PEPS.read_bytes()
    )
    assert preview.format == "xlsx" and preview.question_count == 20
    assert (preview.problem, preview.notes) == ("", [])
    (table,) = preview.tables
    assert [c.header for c in table.columns] == [
        "ID", "Section", "Question", "Answer", "Sources", "(new column)"
    ]  # fmt: skip
    assert [c.letter for c in table.columns] == ["A", "B", "C", "D", "E", "F"]
    assert len(table.rows) == 10 and table.rows[0][0] == "Q01" and len(table.rows[0]) == 6
    assert table.row_count == 20
    assert table.mapping == preview.mapping
    assert preview.mapping["table"] == "Questionnaire"
    _nothing_stored(before)


def test_the_stored_original_is_filled_in_at_the_rows_its_sections_came_from(world):
    draft = questionnaire_import.create_from_questionnaire(
        world.reader, "PEPs", [world.kb_a], "peps-questionnaire.xlsx", PEPS.read_bytes()
    )
    with transaction() as session:
        sections = drafts.sections_of(session, draft.id)
        second = sections[1]
        second.content = "Constants are written in UPPER_CASE [1]."
        second.sources = [
            {"n": 1, "document_name": "pep-0008.txt", "page": 2, "href": "/view/d8?page=2"}
        ]
        session.add(second)
    record = drafts.open_draft(world.reader, draft.id).draft.questionnaire
    original = b"".join(get_container().blobs.get(record["blob_key"]))
    opened = drafts.open_draft(world.reader, draft.id)
    filled = fill_questionnaire(
        record["format"], original, record["mapping"], opened.sections, "https://kb.example.com"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(filled))["Questionnaire"]
    assert sheet["A3"].value == "Q02"
    assert sheet["D3"].value == "Constants are written in UPPER_CASE [1]."
    assert sheet["E3"].value == "[1] pep-0008.txt, p. 2 — https://kb.example.com/view/d8?page=2"
    assert sheet["D2"].value is None and sheet["D4"].value is None


def test_preview_warns_what_the_filled_in_copy_will_not_keep(world):
    preview = questionnaire_import.preview_questionnaire(world.reader, "q.xlsx", files.shape_xlsx())
    assert preview.notes == ["Shapes and text boxes drawn on the sheets are not kept."]


def test_a_german_csv_header_is_not_imported_as_a_question(world):
    data = "Nr;Frage / Question;Antwort\r\n1;Wie sichern Sie Daten?;\r\n2;Wer darf ins Büro?;\r\n"
    preview = questionnaire_import.preview_questionnaire(
        world.reader, "fragen.csv", data.encode("cp1252")
    )
    assert preview.question_count == 2
    assert [c.header for c in preview.tables[0].columns][:3] == [
        "Nr",
        "Frage / Question",
        "Antwort",
    ]
    assert (preview.mapping["header_row"], preview.mapping["answer_column"]) == (1, 2)
    draft = questionnaire_import.create_from_questionnaire(
        world.reader, "Fragen", [world.kb_a], "fragen.csv", data.encode("cp1252")
    )
    sections = drafts.open_draft(world.reader, draft.id).sections
    assert [(s.ref, s.title) for s in sections] == [
        ("1", "Wie sichern Sie Daten?"),
        ("2", "Wer darf ins Büro?"),
    ]
