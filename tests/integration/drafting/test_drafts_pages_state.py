"""The drafts page, the new-draft dialog and the questionnaire import, their handlers called as a
browser sends them (with each person's session cookie): the owner's and a member's lists with
status counts, rename and delete (owner only, confirmed), a draft made from a built-in template,
and an import whose preview shows the suggested mapping, changed by a person, and whose hostile
or oversized file is refused with its message before anything is stored."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Draft, DraftSection
from lumikb_app.domain.drafting import MAX_BRIEF, MAX_IMPORT_BYTES
from lumikb_app.services.drafting import drafts, members
from lumikb_app.services.platform.transactions import read_session
from lumikb_app.state.drafting.draft_create import NewDraftState
from lumikb_app.state.drafting.drafts_list import DraftsListState
from lumikb_app.state.drafting.questionnaire_import import ImportState
from tests.conftest import CORPORA
from tests.integration.drafting.core_world import (
    DraftWorld,
    generate,
    make_draft_world,
    source,
)
from tests.integration.drafting.page_states import Stream, page_state
from tests.unit.drafting import hostile_files

pytestmark = pytest.mark.integration

PEPS = CORPORA / "questionnaire" / "peps-questionnaire.xlsx"


@pytest.fixture
def world(request, data_dir, monkeypatch) -> DraftWorld:
    world = make_draft_world(request, monkeypatch)
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "edit")
    return world


async def _drafts(user) -> DraftsListState:
    page = await page_state(DraftsListState, user, "/drafts")
    await DraftsListState.load_drafts.fn(page)
    return page


def _draft_titles() -> list[str]:
    with read_session() as session:
        return sorted(d.title for d in session.exec(select(Draft)))


async def test_the_owner_and_a_member_see_the_draft_with_its_status_counts(world):
    generate(world.section_ids[0], "Nightly [1].", [source(1, "backups.md")])
    generate(world.section_ids[1], "Not covered.", [], mode="not_covered")
    owner = await _drafts(world.alice)
    assert [row.title for row in owner.my_drafts] == ["Vendor questionnaire"]
    row = owner.my_drafts[0]
    assert (row.empty, row.drafted, row.not_covered, row.edited, row.reviewed) == (1, 1, 1, 0, 0)
    assert (row.role_label, row.progress, row.kbs) == (
        "Owner",
        "0 of 3 reviewed",
        "Engineering, Finance",
    )
    assert owner.shared_drafts == [] and owner.mine_label == "My drafts (1)"

    bob = await _drafts(world.bob)
    assert bob.my_drafts == [] and bob.shared_label == "Shared with me (1)"
    shared = bob.shared_drafts[0]
    assert (shared.role_label, shared.owner_name, shared.can_edit) == (
        "Can edit", "Alice Example", True,
    )  # fmt: skip
    assert (await _drafts(world.olga)).draft_rows == []  # never shared with her


async def test_a_member_renames_but_only_the_owner_deletes_after_confirming(world):
    bob = await _drafts(world.bob)
    DraftsListState.ask_rename_draft.fn(bob, world.draft_id)
    assert bob.rename_draft_title == "Vendor questionnaire"
    await DraftsListState.rename_draft.fn(bob, {"title": "  "})
    assert bob.rename_draft_error == "Give the draft a title." and bob.rename_draft_id
    await DraftsListState.rename_draft.fn(bob, {"title": "ACME vendor review"})
    assert bob.rename_draft_id == "" and bob.shared_drafts[0].title == "ACME vendor review"

    DraftsListState.ask_delete_draft.fn(bob, world.draft_id)
    assert bob.delete_draft_id == ""  # no Delete for a member
    await DraftsListState.confirm_delete_draft.fn(bob, world.draft_id)  # a hand-made event
    assert bob.drafts_error == "Only the draft's owner can do this."
    assert _draft_titles() == ["ACME vendor review"]

    owner = await _drafts(world.alice)
    DraftsListState.ask_delete_draft.fn(owner, world.draft_id)
    assert owner.delete_draft_title == "ACME vendor review"
    await DraftsListState.confirm_delete_draft.fn(owner, world.draft_id)
    assert owner.drafts_notice == "Deleted ACME vendor review." and owner.draft_rows == []
    assert _draft_titles() == []


async def test_a_draft_is_made_from_a_built_in_template_and_opened(world):
    page = await page_state(NewDraftState, world.carol, "/drafts")
    await NewDraftState.open_new_draft.fn(page, "")
    names = [t.name for t in page.template_choices]
    assert "Security questionnaire" in names and page.new_draft_open
    checklist = next(t for t in page.template_choices if t.name == "Checklist")
    NewDraftState.set_new_draft_template.fn(page, checklist.id)
    NewDraftState.pick_new_draft_kb.fn(page, world.kb_b, True)  # Finance: not hers to pick
    assert page.new_draft_kb_ids == [] and page.new_draft_kbs_label == "All knowledge bases"
    assert page.new_draft_kbs_used == "The only knowledge base you can read: Engineering."

    await NewDraftState.create_new_draft.fn(page, {"title": ""})
    assert page.new_draft_error == "Give the draft a title." and _draft_titles() == [
        "Vendor questionnaire"
    ]
    await NewDraftState.create_new_draft.fn(
        page, {"title": "Launch checklist", "brief": "x" * (MAX_BRIEF + 5)}
    )
    assert "at most 1000 characters" in page.new_draft_error and _draft_titles() == [
        "Vendor questionnaire"
    ]
    brief = "Our readiness for a SOC 2 audit of the payments service"
    answer = await NewDraftState.create_new_draft.fn(
        page, {"title": "Launch checklist", "brief": brief}
    )
    made = drafts.list_drafts(world.carol)[0][0]
    assert f"/drafts/{made.id}" in str(answer) and not page.new_draft_open
    assert (made.title, made.kb_ids, made.template_id, made.brief) == (
        "Launch checklist",
        [world.kb_a],
        checklist.id,
        brief,
    )


async def _import(user, *files: tuple[str, bytes]) -> tuple[ImportState, Stream]:
    page = await page_state(ImportState, user, "/drafts")
    ImportState.open_import.fn(page)
    ImportState.import_upload_started.fn(page)
    stream = Stream(*files)
    await ImportState.receive_questionnaire.fn(page, stream)
    return page, stream


async def test_an_imported_questionnaire_previews_its_mapping_and_becomes_a_draft(world):
    page, _ = await _import(world.bob, ("peps-questionnaire.xlsx", PEPS.read_bytes()))
    assert page.import_error == "" and page.has_preview and not page.import_receiving
    roles = {cell.role: cell.header for cell in page.preview_header if cell.role}
    assert roles["Question"].lower().startswith("question") and "Answer" in roles
    assert page.question_count_label == "20 questions found"
    assert page.import_title == "Peps questionnaire" and len(page.shown_table.rows) == 10

    sources = page.map_columns["sources_column"]
    ImportState.set_map_column.fn(page, "sources_column", "none")
    assert page.question_count_label == "Questions are counted again when you create the draft."
    ImportState.set_map_column.fn(page, "sources_column", sources)
    assert page.question_count_label == "20 questions found"  # the suggestion again
    ImportState.set_map_column.fn(page, "sources_column", "none")
    ImportState.set_map_column.fn(page, "question_column", "99")  # no such column: ignored
    assert page.map_columns["sources_column"] == "none"
    ImportState.set_import_title.fn(page, "PEP answers")
    assert page.import_kbs_used == "All 2 knowledge bases you can read: Engineering, Finance."
    ImportState.pick_import_kb.fn(page, world.kb_a, True)
    assert page.import_kbs_used == "Draws from Engineering."
    answer = await ImportState.create_from_import.fn(page)
    assert page.import_error == "", page.import_error
    made = drafts.list_drafts(world.bob)[0][0]
    assert f"/drafts/{made.id}" in str(answer)
    assert (made.title, made.kb_ids, made.source_kind) == (
        "PEP answers",
        [world.kb_a],
        "questionnaire",
    )
    assert made.questionnaire["mapping"]["sources_column"] is None
    with read_session() as session:
        count = len(
            session.exec(select(DraftSection).where(DraftSection.draft_id == made.id)).all()
        )
    assert count == 20


async def test_a_hostile_file_is_refused_with_its_message_and_nothing_is_stored(world):
    for name, data, said in (
        ("formulas.xlsx", hostile_files.formula_xlsx(), "formula"),
        ("macros.xlsx", hostile_files.macro_xlsx(), "macro"),
        ("bomb.xlsx", hostile_files.zip_bomb_xlsx(), ""),
    ):
        page, _ = await _import(world.bob, (name, data))
        assert page.import_error and said in page.import_error.lower(), page.import_error
        assert not page.has_preview and page._import_data == b""
        assert await ImportState.create_from_import.fn(page) is None
        assert page.import_error == "Choose the questionnaire file first."
    assert _draft_titles() == ["Vendor questionnaire"]
    assert list(get_container().blobs.list_keys("drafts/")) == []


async def test_an_oversized_upload_is_refused_while_streaming_and_not_read_to_its_end(world):
    huge = b"ID,Question,Answer\n" + b"Q,Why?,\n" * (MAX_IMPORT_BYTES // 4)  # 10 MB
    page, stream = await _import(world.bob, ("huge.csv", huge))
    assert page.import_error == "huge.csv is larger than the 5 MB limit for a questionnaire."
    assert stream.read == MAX_IMPORT_BYTES // len(stream.pieces[0].data) + 1  # stopped at the cap
    assert page._import_data == b"" and not page.has_preview


async def test_two_files_at_once_are_refused(world):
    csv = hostile_files.csv_bytes("ID,Question,Answer\nQ1,How are backups made?,\n")
    page, _ = await _import(world.bob, ("a.csv", csv), ("b.csv", csv))
    assert page.import_error == "Import one questionnaire at a time." and not page.has_preview


async def test_another_sheet_comes_with_the_mapping_suggested_for_it(world):
    page, _ = await _import(world.bob, ("vendor.xlsx", hostile_files.workbook()))
    assert [t.name for t in page.import_tables] == ["Questions", "Notes"] and page.several_tables
    assert page.map_table == "Questions" and page.question_count_label == "3 questions found"
    ImportState.set_map_table.fn(page, "Notes")
    assert page.shown_table.name == "Notes" and page.map_columns["question_column"] == "0"
    assert page.shown_table.rows[0][0] == "Return by Friday."
    ImportState.set_map_table.fn(page, "Questions")
    assert page.question_count_label == "3 questions found"
    assert [c.role for c in page.preview_header][:5] == [
        "ID",
        "Section",
        "Question",
        "Answer",
        "Sources",
    ]
