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
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import drafts, questionnaire_import
from lumikb_app.services.platform.transactions import read_session
from tests.conftest import CORPORA
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


def _nothing_stored() -> None:
    with read_session() as session:
        assert session.exec(select(Draft)).all() == []
        assert session.exec(select(DraftSection)).all() == []
        assert (
            session.exec(select(AuditEvent).where(AuditEvent.action == "draft.create")).all() == []
        )
        assert [e for e in session.exec(select(OutboxEvent)) if "drafts/" in str(e.payload)] == []
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


def test_a_file_with_a_formula_is_refused_and_nothing_is_stored(world):
    with pytest.raises(DraftInputError, match="formula"):
        questionnaire_import.create_from_questionnaire(
            world.reader, "Bad", [world.kb_a], "bad.xlsx", _formula_workbook()
        )
    _nothing_stored()


def test_a_zip_bomb_is_refused_and_nothing_is_stored(world):
    from tests.unit.drafting.hostile_files import zip_bomb_xlsx

    with pytest.raises(DraftInputError, match="zip bomb"):
        questionnaire_import.create_from_questionnaire(
            world.reader, "Bomb", [world.kb_a], "bomb.xlsx", zip_bomb_xlsx()
        )
    _nothing_stored()


def test_the_user_must_read_every_chosen_kb(world):
    with pytest.raises(PermissionDenied):
        questionnaire_import.create_from_questionnaire(
            world.reader, "PEPs", [world.kb_a, world.kb_b], "peps.xlsx", PEPS.read_bytes()
        )
    _nothing_stored()


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
    preview = questionnaire_import.preview_questionnaire(
        world.reader, "peps-questionnaire.xlsx", PEPS.read_bytes()
    )
    assert preview.format == "xlsx" and preview.question_count == 20
    (table,) = preview.tables
    assert [c.header for c in table.columns] == ["ID", "Section", "Question", "Answer", "Sources"]
    assert [c.letter for c in table.columns] == ["A", "B", "C", "D", "E"]
    assert len(table.rows) == 10 and table.rows[0][0] == "Q01"
    assert table.row_count == 20
    assert table.mapping == preview.mapping
    assert preview.mapping["table"] == "Questionnaire"
    _nothing_stored()
