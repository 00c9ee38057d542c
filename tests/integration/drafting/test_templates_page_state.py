"""The templates page, its handlers called as a browser sends them: built-in templates listed
read-only with their sections; a KB admin creates a template for their KB, edits it (a new
version), sees its versions and archives it; its readers may use it but not change it, and a
hand-made save from them is refused with nothing stored."""

from __future__ import annotations

import pytest

from lumikb_app.state.drafting.templates_admin import TemplatesState
from tests.integration.drafting.page_states import page_state
from tests.integration.drafting.template_world import TemplateWorld, counts, make_template_world

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite"])
def world(request, data_dir, monkeypatch) -> TemplateWorld:
    return make_template_world(request, monkeypatch)


async def _templates(user) -> TemplatesState:
    page = await page_state(TemplatesState, user, "/drafts/templates")
    await TemplatesState.load_templates.fn(page)
    return page


def _card(page: TemplatesState, name: str):
    return next(card for card in page.template_cards if card.name == name)


def _fill(page: TemplatesState, name: str, sections: list[tuple[str, str]]) -> None:
    TemplatesState.set_editor_name.fn(page, name)
    TemplatesState.set_editor_description.fn(page, "Our vendor review.")
    while len(page.editor_sections) < len(sections):
        TemplatesState.add_editor_section.fn(page)
    for draft, (title, instruction) in zip(page.editor_sections, sections, strict=True):
        TemplatesState.set_editor_section.fn(page, draft.key, "title", title)
        TemplatesState.set_editor_section.fn(page, draft.key, "instruction", instruction)


async def test_built_in_templates_are_listed_read_only_with_their_sections(world):
    page = await _templates(world.reader)
    names = [card.name for card in page.built_in_cards]
    assert names[:2] == ["RFP response", "Security questionnaire"] and len(names) == 5
    security = _card(page, "Security questionnaire")
    assert security.scope == "Built in" and not security.can_manage
    assert security.sections and all(s.instruction for s in security.sections)
    assert not page.may_add_templates and page.custom_cards == []
    TemplatesState.edit_template.fn(page, security.id)
    assert not page.editor_open


async def test_a_kb_admin_creates_edits_versions_and_archives_a_template(world):
    page = await _templates(world.kb_admin)
    assert [(s.label, s.value) for s in page.template_scopes] == [("Engineering", world.eng)]
    TemplatesState.new_template.fn(page)
    assert page.editor_open and page.editor_scope == world.eng
    _fill(page, "Vendor review", [("Overview", "Two sentences."), ("Backups", "")])
    TemplatesState.set_editor_tone.fn(page, "formal")
    TemplatesState.set_editor_tone.fn(page, "sarcastic")  # not a tone: ignored
    await TemplatesState.save_template.fn(page)
    assert page.editor_error == "" and not page.editor_open
    card = _card(page, "Vendor review")
    assert (card.scope, card.version, card.tone_label, card.can_manage) == (
        "Engineering", 1, "Formal tone", True,
    )  # fmt: skip
    assert [s.title for s in card.sections] == ["Overview", "Backups"]

    TemplatesState.edit_template.fn(page, card.id)
    first = page.editor_sections[0].key
    TemplatesState.move_editor_section.fn(page, first, False)
    TemplatesState.set_editor_length.fn(page, "short")
    await TemplatesState.save_template.fn(page)
    assert page.templates_notice == "Saved Vendor review (version 2)."
    assert [s.title for s in _card(page, "Vendor review").sections] == ["Backups", "Overview"]

    await TemplatesState.show_versions.fn(page, card.id)
    assert [row.version for row in page.version_rows] == ["Version 2", "Version 1"]
    assert (
        page.version_rows[1].who == "by Kb Admin"
        and "Short answers" in page.version_rows[0].summary
    )

    TemplatesState.ask_archive_template.fn(page, card.id)
    await TemplatesState.confirm_archive_template.fn(page, page.archive_template_id)
    assert (
        page.templates_notice == "Archived Vendor review." and _card(page, "Vendor review").archived
    )
    await TemplatesState.restore_template.fn(page, card.id)
    assert not _card(page, "Vendor review").archived


async def test_a_refused_template_is_explained_and_a_reader_cannot_change_one(world):
    admin = await _templates(world.kb_admin)
    TemplatesState.new_template.fn(admin)
    _fill(admin, "Twin sections", [("Overview", ""), ("overview", "")])
    await TemplatesState.save_template.fn(admin)
    assert admin.editor_error == "Two sections are titled “overview”." and admin.editor_open
    TemplatesState.set_editor_section.fn(admin, admin.editor_sections[1].key, "title", "Scope")
    await TemplatesState.save_template.fn(admin)
    template_id = _card(admin, "Twin sections").id

    reader = await _templates(world.reader)
    card = _card(reader, "Twin sections")
    assert card.scope == "Engineering" and not card.can_manage
    TemplatesState.edit_template.fn(reader, template_id)
    assert not reader.editor_open
    before = counts()
    reader.editor_template_id, reader.editor_name = template_id, "Hijacked"  # a crafted save
    _fill(reader, "Hijacked", [("Overview", "Say yes to everything.")])
    await TemplatesState.save_template.fn(reader)
    assert reader.editor_error == "Only an admin of this template's knowledge base can change it."
    await TemplatesState.confirm_archive_template.fn(reader, template_id)
    assert reader.templates_error and counts() == before
    assert "Twin sections" not in [c.name for c in (await _templates(world.finance)).template_cards]
