"""Templates as people use them: who may add, change, archive and use which template; each
saved state kept as a version; the built-in ones always there and never changed; bad input
refused with nothing stored; every change in the audit log."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import draft_creation, drafts, templates
from lumikb_app.services.drafting.built_in_templates import BUILT_IN_TEMPLATES
from lumikb_app.services.drafting.template_access import BUILT_IN, NOT_FOUND
from lumikb_app.services.drafting.templates import SAVED_MEANWHILE
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.drafting.template_world import (
    SECTIONS,
    TemplateWorld,
    audit_rows,
    counts,
    make_template_world,
)

pytestmark = pytest.mark.integration
BUILT_IN_NAMES = [
    "RFP response",
    "Security questionnaire",
    "Checklist",
    "Gap analysis",
    "Executive summary",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> TemplateWorld:
    return make_template_world(request, monkeypatch)


def _names(user) -> list[str]:
    return [t.name for t in templates.list_templates(user)]


def _content(**change) -> dict:
    """A template's fields as create_template and update_template take them, with `change`."""
    content = {"name": "Service runbook", "description": "", "sections": SECTIONS}
    return {**content, "answer_length": "short", "tone": "plain", **change}


def _eng_template(world: TemplateWorld, name: str = "Service runbook"):
    return templates.create_template(
        world.kb_admin, name, "How we run a service.", SECTIONS, "short", "plain", kb_id=world.eng
    )


def test_everyone_starts_with_the_five_built_in_templates_each_with_instructed_sections(world):
    listed = templates.list_templates(world.outsider)
    assert [t.name for t in listed] == BUILT_IN_NAMES
    for template in listed:
        assert template.built_in and template.version == 1
        assert len(template.sections) >= 5
        assert all(s["title"] and len(s["instruction"]) > 40 for s in template.sections)
    stored = counts()
    assert _names(world.reader) == BUILT_IN_NAMES  # listing again stores nothing more
    assert counts() == stored


def test_built_in_templates_cannot_be_changed_or_archived_even_by_a_system_admin(world):
    rfp = templates.list_templates(world.sysadmin)[0]
    before = counts()
    with pytest.raises(PermissionDenied, match="Built-in templates cannot be changed"):
        templates.update_template(world.sysadmin, rfp.id, **_content(name="Mine"))
    with pytest.raises(PermissionDenied, match=BUILT_IN):
        templates.archive_template(world.sysadmin, rfp.id)
    assert counts() == before
    assert templates.get_template(world.reader, rfp.id).sections == rfp.sections
    assert [v.version for v in templates.template_versions(world.reader, rfp.id)] == [1]


def test_only_an_admin_of_the_kb_adds_a_template_to_it_and_only_a_system_admin_for_everyone(
    world,
):
    templates.list_templates(world.reader)  # built-ins seeded: they are not what is counted
    before = counts()
    for user, kb_id, refusal in (
        (world.reader, world.eng, "Only an admin of this knowledge base"),
        (world.writer, world.eng, "Only an admin of this knowledge base"),
        (world.kb_admin, world.fin, "You do not have access to this knowledge base"),
        (world.kb_admin, None, "Only a system administrator"),
        (world.outsider, world.eng, "You do not have access"),
        (world.kb_admin, "no-such-kb", "You do not have access"),
    ):
        with pytest.raises(PermissionDenied, match=refusal):
            templates.create_template(user, "Runbook", "", SECTIONS, kb_id=kb_id)
    assert counts() == before

    mine = _eng_template(world)
    assert (mine.kb_id, mine.version, mine.built_in, mine.created_by) == (
        world.eng,
        1,
        False,
        world.kb_admin.id,
    )
    everyone = templates.create_template(world.sysadmin, "Board report", "", SECTIONS)
    assert everyone.kb_id is None
    assert [s.kb_id for s in templates.template_scopes(world.kb_admin)] == [world.eng]
    assert [s.label for s in templates.template_scopes(world.sysadmin)] == [
        "Everyone",
        "Engineering",
        "Finance",
    ]
    assert templates.template_scopes(world.reader) == []


def test_a_kb_template_is_seen_and_used_only_by_readers_of_that_kb(world):
    runbook = _eng_template(world)
    board = templates.create_template(world.sysadmin, "Board report", "", SECTIONS)

    assert _names(world.reader)[-2:] == ["Board report", "Service runbook"]
    assert "Service runbook" not in _names(world.finance)
    assert "Service runbook" not in _names(world.outsider)
    assert "Board report" in _names(world.finance) and "Board report" in _names(world.outsider)
    for call in (
        lambda: templates.get_template(world.finance, runbook.id),
        lambda: templates.template_versions(world.finance, runbook.id),
        lambda: draft_creation.create_draft(world.finance, "Mine", [world.fin], runbook.id),
        lambda: templates.get_template(world.finance, "no-such-template"),
    ):
        with pytest.raises(PermissionDenied, match=NOT_FOUND):
            call()

    draft = draft_creation.create_draft(world.reader, "Payments runbook", [world.eng], runbook.id)
    opened = drafts.open_draft(world.reader, draft.id)
    assert [(s.title, s.instruction) for s in opened.sections] == [
        (s["title"], s["instruction"]) for s in SECTIONS
    ]
    assert (draft.template_id, draft.template_version) == (runbook.id, 1)
    assert (draft.answer_length, draft.tone) == ("short", "plain")
    assert draft_creation.create_draft(world.finance, "Board", [world.fin], board.id).id
    before = counts()
    with pytest.raises(DraftInputError, match="must draw from Engineering too"):
        draft_creation.create_draft(world.sysadmin, "Elsewhere", [world.fin], runbook.id)
    assert counts() == before


def test_templates_of_an_archived_kb_leave_every_list_and_an_inactive_user_sees_none(world):
    runbook = _eng_template(world)
    kbs.set_archived(world.sysadmin, world.eng, True)
    assert "Service runbook" not in _names(world.reader)
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        templates.get_template(world.reader, runbook.id)
    with pytest.raises(DraftInputError, match="Engineering is archived"):
        _eng_template(world, "Another")
    kbs.set_archived(world.sysadmin, world.eng, False)
    assert "Service runbook" in _names(world.reader)

    world.reader.is_active = False
    with pytest.raises(PermissionDenied, match="not active"):
        templates.list_templates(world.reader)
    with pytest.raises(PermissionDenied, match="not active"):
        draft_creation.create_draft(world.reader, "T", [world.eng], runbook.id)


def test_a_draft_from_a_built_in_template_starts_with_its_sections_and_is_audited(world):
    gap = next(t for t in templates.list_templates(world.reader) if t.key == "gap_analysis")
    draft = draft_creation.create_draft(world.reader, "  Gap   analysis Q3 ", [world.eng], gap.id)
    opened = drafts.open_draft(world.reader, draft.id)
    assert opened.draft.title == "Gap analysis Q3"
    assert [s.title for s in opened.sections] == [s["title"] for s in gap.sections]
    assert all(s.status == "empty" and s.instruction for s in opened.sections)
    created = audit_rows("draft.create")[-1]
    assert (created.actor_id, created.target) == (world.reader.id, draft.id)
    assert created.details["template"] == "Gap analysis"

    before = counts()
    with pytest.raises(PermissionDenied):  # a KB the reader may not read
        draft_creation.create_draft(world.reader, "Mixed", [world.eng, world.fin], gap.id)
    with pytest.raises(DraftInputError, match="Give the draft a title"):
        draft_creation.create_draft(world.reader, "   ", [world.eng], gap.id)
    with pytest.raises(DraftInputError, match="chosen by its id"):
        draft_creation.create_draft(world.reader, "T", [world.eng], 42)  # type: ignore[arg-type]
    assert counts() == before


def test_each_change_is_a_new_version_listed_newest_first_with_who_made_it(world):
    runbook = _eng_template(world)
    new_sections = [*SECTIONS, {"title": "On call", "instruction": "Who is paged, and how."}]
    wider = _content(
        description="How we run and support a service.",
        sections=new_sections,
        answer_length="medium",
    )
    changed = templates.update_template(world.kb_admin, runbook.id, **wider, base_version=1)
    assert changed.version == 2
    # the same content again: no new version
    again = templates.update_template(world.sysadmin, runbook.id, **wider)
    assert again.version == 2

    history = templates.template_versions(world.reader, runbook.id)
    assert [(v.version, v.changed_by_name) for v in history] == [(2, "Kb Admin"), (1, "Kb Admin")]
    assert [s["title"] for s in history[0].snapshot["sections"]] == [
        "Overview",
        "Backups",
        "On call",
    ]
    assert history[1].snapshot["answer_length"] == "short"
    assert [s["title"] for s in templates.get_template(world.reader, runbook.id).sections][-1] == (
        "On call"
    )
    update = audit_rows("draft.template_update")
    assert len(update) == 1
    assert update[0].details["changed"] == ["answer_length", "description", "sections"]
    assert update[0].kb_id == world.eng


def test_a_stale_edit_and_a_reader_or_writer_edit_are_refused_and_change_nothing(world):
    runbook = _eng_template(world)
    fields = dict(name="Renamed", description="", sections=SECTIONS, answer_length="short")
    templates.update_template(world.kb_admin, runbook.id, tone="formal", **fields)
    before = counts()
    with pytest.raises(DraftInputError, match="Someone saved a newer version"):
        templates.update_template(
            world.sysadmin, runbook.id, tone="plain", base_version=1, **fields
        )
    for user in (world.reader, world.writer):
        with pytest.raises(PermissionDenied, match="Only an admin of this template's"):
            templates.update_template(user, runbook.id, tone="plain", **fields)
        with pytest.raises(PermissionDenied, match="Only an admin of this template's"):
            templates.archive_template(user, runbook.id)
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        templates.update_template(world.finance, runbook.id, tone="plain", **fields)
    board = templates.create_template(world.sysadmin, "Board report", "", SECTIONS)
    before = counts()
    with pytest.raises(PermissionDenied, match="Only a system administrator"):
        templates.archive_template(world.kb_admin, board.id)
    assert counts() == before
    assert templates.get_template(world.reader, runbook.id).tone == "formal"


def test_an_archived_template_leaves_the_list_and_new_drafts_until_restored(world):
    runbook = _eng_template(world)
    made_before = draft_creation.create_draft(world.reader, "Before", [world.eng], runbook.id)
    templates.archive_template(world.kb_admin, runbook.id)
    assert "Service runbook" not in _names(world.reader)
    with pytest.raises(PermissionDenied, match=NOT_FOUND):  # readers no longer see it
        draft_creation.create_draft(world.reader, "After", [world.eng], runbook.id)
    with pytest.raises(DraftInputError, match="is archived"):
        draft_creation.create_draft(world.kb_admin, "After", [world.eng], runbook.id)
    assert len(drafts.open_draft(world.reader, made_before.id).sections) == 2
    managed = templates.template_entries(world.kb_admin, include_archived=True)
    archived = [e for e in managed if e.template.id == runbook.id]
    assert archived and archived[0].can_manage and archived[0].kb_name == "Engineering"
    assert runbook.id not in [e.template.id for e in templates.template_entries(world.reader, True)]

    templates.restore_template(world.kb_admin, runbook.id)
    assert "Service runbook" in _names(world.reader)
    assert [e.action for e in audit_rows()] == [
        "draft.template_create",
        "draft.template_archive",
        "draft.template_restore",
    ]


def test_names_are_unique_within_a_scope_but_may_repeat_across_kbs(world):
    _eng_template(world)
    with pytest.raises(DraftInputError, match="already exists in this knowledge base"):
        _eng_template(world, "service RUNBOOK")
    with pytest.raises(DraftInputError, match="already exists for everyone"):
        templates.create_template(world.sysadmin, "checklist", "", SECTIONS)
    finance_one = templates.create_template(
        world.sysadmin, "Service runbook", "", SECTIONS, kb_id=world.fin
    )
    assert finance_one.kb_id == world.fin


def test_the_audit_log_names_who_changed_which_template_of_which_kb(world):
    runbook = _eng_template(world)
    templates.archive_template(world.sysadmin, runbook.id, ip="10.0.0.9")
    create, archive = audit_rows()
    assert (create.action, create.actor_id, create.kb_id, create.target) == (
        "draft.template_create",
        world.kb_admin.id,
        world.eng,
        runbook.id,
    )
    assert create.details == {"name": "Service runbook", "version": 1, "sections": 2}
    assert (archive.action, archive.actor_email, archive.ip) == (
        "draft.template_archive",
        "sysadmin@x.io",
        "10.0.0.9",
    )


LONG = "x" * 1001


BAD_INPUT = [
    ({"name": "   "}, "Give the template a name"),
    ({"name": "n" * 121}, "at most 120 characters"),
    ({"name": ["Runbook"]}, "name must be text"),
    ({"name": "Run\x00book"}, "cannot be stored"),
    ({"description": "d" * 1001}, "description must be at most 1000"),
    ({"sections": "Overview"}, "list of titles and instructions"),
    ({"sections": []}, "at least one section"),
    ({"sections": [{"title": f"S{n}"} for n in range(61)]}, "at most 60 sections"),
    ({"sections": [{"instruction": "x"}]}, "Section 1's title and instruction must be text"),
    ({"sections": [{"title": " "}]}, "Section 1 needs a title"),
    ({"sections": [{"title": "A", "prompt": "x"}]}, "unknown field \\(prompt\\)"),
    ({"sections": [{"title": "A", "instruction": LONG}]}, "instruction must be at most"),
    ({"sections": [{"title": "t" * 301}]}, "title must be at most 300"),
    ({"sections": [{"title": "A"}, {"title": "a"}]}, "Two sections are titled"),
    ({"sections": ["Overview"]}, "Section 1 must have a title and an instruction"),
    ({"answer_length": "huge"}, "Answer length must be one of: short, medium, long"),
    ({"tone": 3}, "Tone must be one of"),
]


def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(world):
    runbook = _eng_template(world, "Existing")
    good = _content(name="Runbook")
    before = counts()
    for change, message in BAD_INPUT:
        fields = {**good, **change}
        with pytest.raises(DraftInputError, match=message):
            templates.create_template(world.kb_admin, **fields, kb_id=world.eng)
        with pytest.raises(DraftInputError, match=message):
            templates.update_template(world.kb_admin, runbook.id, **fields)
    with pytest.raises(DraftInputError, match="belongs to everyone or to one knowledge base"):
        templates.create_template(world.kb_admin, **good, kb_id=7)  # type: ignore[arg-type]
    with pytest.raises(DraftInputError, match="whole number"):
        templates.update_template(world.kb_admin, runbook.id, **good, base_version="1")
    with pytest.raises(DraftInputError, match="chosen by its id"):
        templates.update_template(world.kb_admin, None, **good)  # type: ignore[arg-type]
    assert counts() == before
    assert templates.get_template(world.kb_admin, runbook.id).version == 1


def test_built_in_definitions_are_stored_exactly_once(world):
    templates.list_templates(world.reader)
    templates.list_templates(world.finance)
    keys = [t.key for t in templates.list_templates(world.sysadmin) if t.built_in]
    assert keys == [t.key for t in BUILT_IN_TEMPLATES]


def _at_once(work, count: int = 4) -> list[str]:
    """Run work(n) in `count` threads released together; each result or refusal's message."""
    barrier = threading.Barrier(count)

    def attempt(n: int) -> str:
        barrier.wait()
        try:
            work(n)
            return "saved"
        except DraftInputError as refused:
            return str(refused)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def test_people_saving_one_template_at_once_never_share_a_version(world):
    runbook = _eng_template(world)

    def save(n: int, base_version: int | None) -> None:
        templates.update_template(
            world.kb_admin if n % 2 else world.sysadmin,
            runbook.id,
            **_content(description=f"Change {n} from version {base_version}"),
            base_version=base_version,
        )

    from_v1 = _at_once(lambda n: save(n, 1))
    assert from_v1.count("saved") == 1
    assert {r for r in from_v1 if r != "saved"} == {SAVED_MEANWHILE}

    anyhow = _at_once(lambda n: save(n, None))
    assert set(anyhow) <= {"saved", SAVED_MEANWHILE} and "saved" in anyhow
    saved = 2 + anyhow.count("saved")
    history = templates.template_versions(world.reader, runbook.id)
    assert [v.version for v in history] == list(range(saved, 0, -1))
    assert (
        templates.get_template(world.reader, runbook.id).description
        == (history[0].snapshot["description"])
    )
    assert len(audit_rows("draft.template_update")) == saved - 1


def test_people_adding_the_same_name_at_once_get_one_template(world):
    templates.list_templates(world.reader)
    before = counts()
    results = _at_once(
        lambda n: templates.create_template(
            world.kb_admin if n % 2 else world.sysadmin, "Runbook", "", SECTIONS, kb_id=world.eng
        )
    )
    assert results.count("saved") == 1
    assert {r for r in results if r != "saved"} == {
        "A template named “Runbook” already exists in this knowledge base."
    }
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
