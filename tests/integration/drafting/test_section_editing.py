"""Two people editing one draft: a section is locked to its editor, a save made from an older
revision is refused with nothing written, and simultaneous saves never lose a saved text.
Saving keeps only the citations that name a source, renumbered; review marks what has text."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import DraftSection
from lumikb_app.domain.drafting import NOT_COVERED_TEXT, DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import drafts, members, sections, versions
from lumikb_app.services.platform.transactions import transaction
from tests.integration.drafting.core_world import DraftWorld, generate, make_draft_world, source

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> DraftWorld:
    world = make_draft_world(request, monkeypatch)
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "edit")
    return world


def test_a_section_being_edited_is_locked_to_its_editor_until_saved(world):
    section_id = world.section_ids[0]
    generate(section_id, "Backups run nightly [1].", [source(1, "backups.md")])
    mine = sections.start_editing(world.alice, section_id)
    assert mine.lock_user_id == world.alice.id and mine.content == "Backups run nightly [1]."
    assert sections.editing_now(world.bob, world.draft_id) == {section_id: "Alice Example"}
    assert sections.editing_now(world.alice, world.draft_id) == {}
    renewed = sections.start_editing(world.alice, section_id)  # renewing keeps the base valid
    assert renewed.revision == mine.revision
    assert renewed.lock_expires_at > mine.lock_expires_at

    for refused in (
        lambda: sections.start_editing(world.bob, section_id),
        lambda: sections.save_section(world.bob, section_id, "Bob's text", mine.revision),
        lambda: sections.set_reviewed(world.bob, section_id, True),
    ):
        with pytest.raises(DraftInputError, match="^Alice Example is editing this section.$"):
            refused()
    sections.stop_editing(world.bob, section_id)  # not his lock: nothing happens
    assert world.section(0).lock_user_id == world.alice.id

    saved = sections.save_section(
        world.alice, section_id, "Backups run at 02:00 [1].", mine.revision
    )
    assert (saved.content, saved.status, saved.mode, saved.lock_user_id) == (
        "Backups run at 02:00 [1].",
        "edited",
        "manual",
        None,
    )
    assert sections.editing_now(world.bob, world.draft_id) == {}
    bobs = sections.start_editing(world.bob, section_id)
    assert bobs.content == "Backups run at 02:00 [1]."
    sections.stop_editing(world.bob, section_id)
    assert world.section(0).lock_user_id is None


def test_a_lapsed_lock_lets_someone_else_in_and_the_late_save_is_refused(world):
    section_id = world.section_ids[1]
    alices = sections.start_editing(world.alice, section_id)
    with transaction() as session:  # Alice went to lunch: her lock lapsed
        row = session.get(DraftSection, section_id)
        row.lock_expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    bobs = sections.start_editing(world.bob, section_id)
    sections.save_section(world.bob, section_id, "Only the release team.", bobs.revision)

    with pytest.raises(DraftInputError) as refused:
        sections.save_section(world.alice, section_id, "Anyone on call.", alices.revision)
    assert str(refused.value) == (
        "Bob Builder changed this section while you were editing; reload to see their text, "
        "your text is still in the editor."
    )
    assert world.section(1).content == "Only the release team."
    assert [v.change for v in versions.section_history(world.alice, section_id)] == ["edited"]


def test_simultaneous_saves_from_one_revision_keep_exactly_one_and_refuse_the_other(world):
    section_id = world.section_ids[2]
    base = drafts.open_draft(world.alice, world.draft_id).sections[2].revision
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(person, text):
        barrier.wait()
        try:
            sections.save_section(person, section_id, text, base)
            outcomes[text] = "saved"
        except DraftInputError as error:
            outcomes[text] = str(error)

    for _ in range(3):  # a few rounds, each from the revision both people saw
        base = world.section(2).revision
        outcomes.clear()
        threads = [
            threading.Thread(target=save, args=(world.alice, f"Alice {base}")),
            threading.Thread(target=save, args=(world.bob, f"Bob {base}")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        saved = [text for text, outcome in outcomes.items() if outcome == "saved"]
        refused = [outcome for outcome in outcomes.values() if outcome != "saved"]
        assert len(saved) == 1 and len(refused) == 1, outcomes
        assert "changed this section while you were editing" in refused[0]
        assert world.section(2).content == saved[0]
    history = versions.section_history(world.alice, section_id)
    assert [v.change for v in history] == ["edited"] * 3
    assert all(v.content.split()[0] == v.changed_by_name.split()[0] for v in history)


def test_saving_keeps_citations_that_name_a_source_renumbered_and_drops_the_rest(world):
    section_id = world.section_ids[0]
    generate(
        section_id,
        "Backups run nightly [1]. Restores take an hour [2]. Keys rotate [3].",
        [source(1, "backups.md"), source(2, "restore.md"), source(3, "keys.md")],
    )
    base = sections.start_editing(world.alice, section_id).revision
    saved = sections.save_section(
        world.alice,
        section_id,
        "Keys rotate yearly [3]. Backups run nightly [1, 3] and off-site [9].\r\n\n```\nx = a[2]\n```",
        base,
    )
    assert saved.content == (
        "Keys rotate yearly [1]. Backups run nightly [2][1] and off-site.\n\n```\nx = a[2]\n```"
    )
    assert [(s["n"], s["document_name"]) for s in saved.sources] == [
        (1, "keys.md"),
        (2, "backups.md"),
    ]
    base = sections.start_editing(world.alice, section_id).revision
    kept = sections.save_section(world.alice, section_id, "Backups [2], keys [1].", base)
    assert [s["document_name"] for s in kept.sources] == ["backups.md", "keys.md"]
    assert kept.content == "Backups [1], keys [2]."
    base = sections.start_editing(world.alice, section_id).revision
    plain = sections.save_section(world.alice, section_id, "No sources any more [5].", base)
    assert (plain.content, plain.sources) == ("No sources any more.", [])

    base = sections.start_editing(world.alice, section_id).revision
    with pytest.raises(DraftInputError, match="at most 20,000 characters"):
        sections.save_section(world.alice, section_id, "x" * 20_001, base)
    with pytest.raises(DraftInputError, match="must be text"):
        sections.save_section(world.alice, section_id, None, base)  # type: ignore[arg-type]
    with pytest.raises(DraftInputError, match="revision"):
        sections.save_section(world.alice, section_id, "ok", "7")  # type: ignore[arg-type]
    assert world.section(0).content == "No sources any more."


def test_review_marks_sections_with_an_answer_and_mark_all_leaves_the_rest(world):
    answered, not_covered, empty = world.section_ids
    generate(answered, "Nightly [1].", [source(1, "backups.md")])
    generate(not_covered, NOT_COVERED_TEXT, [], mode="not_covered")
    with pytest.raises(DraftInputError, match="nothing to review"):
        sections.set_reviewed(world.alice, empty, True)
    with pytest.raises(DraftInputError, match="true or false"):
        sections.set_reviewed(world.alice, answered, "yes")  # type: ignore[arg-type]

    assert sections.set_reviewed(world.bob, answered, True).status == "reviewed"
    assert sections.set_reviewed(world.bob, answered, False).status == "drafted"
    assert sections.mark_all_reviewed(world.alice, world.draft_id) == 1
    statuses = [s.status for s in drafts.open_draft(world.bob, world.draft_id).sections]
    assert statuses == ["reviewed", "drafted", "empty"]
    assert sections.mark_all_reviewed(world.alice, world.draft_id) == 0
    # A person may still accept "not covered" for one section on purpose.
    assert sections.set_reviewed(world.alice, not_covered, True).status == "reviewed"
    changes = [v.change for v in versions.section_history(world.alice, answered)]
    assert changes == ["reviewed", "unreviewed", "reviewed", "generated"]

    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    with pytest.raises(PermissionDenied, match="view this draft but not change it"):
        sections.mark_all_reviewed(world.bob, world.draft_id)


def test_mark_all_skips_a_section_someone_else_is_editing(world):
    first, second, _ = world.section_ids
    generate(first, "Nightly [1].", [source(1, "backups.md")])
    generate(second, "The release team [1].", [source(1, "deploy.md")])
    sections.start_editing(world.bob, second)
    assert sections.mark_all_reviewed(world.alice, world.draft_id) == 1
    assert [world.section(i).status for i in (0, 1)] == ["reviewed", "drafted"]


def test_every_write_moves_the_revision_pages_follow(world):
    section_id = world.section_ids[0]
    seen = drafts.open_draft(world.bob, world.draft_id).draft.revision
    mine = sections.start_editing(world.alice, section_id)
    changed = drafts.changes_since(world.bob, world.draft_id, seen)
    assert [s.lock_user_id for s in changed.sections] == [world.alice.id]
    seen = changed.revision
    sections.save_section(world.alice, section_id, "Nightly.", mine.revision)
    changed = drafts.changes_since(world.bob, world.draft_id, seen)
    assert [s.content for s in changed.sections] == ["Nightly."]
    renamed = drafts.rename_draft(world.bob, world.draft_id, "  Vendor   answers ")
    assert renamed.title == "Vendor answers" and renamed.revision > changed.revision


def test_two_people_opening_one_section_at_once_get_one_lock(world):
    section_id = world.section_ids[0]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def open_editor(person):
        barrier.wait()
        try:
            sections.start_editing(person, section_id)
            outcomes[person.display_name] = "editing"
        except DraftInputError as error:
            outcomes[person.display_name] = str(error)

    threads = [threading.Thread(target=open_editor, args=(p,)) for p in (world.alice, world.bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [holder] = [name for name, outcome in outcomes.items() if outcome == "editing"]
    [refusal] = [outcome for outcome in outcomes.values() if outcome != "editing"]
    assert refusal == f"{holder} is editing this section."
    assert world.section(0).lock_user_id == {"Alice Example": world.alice.id}.get(
        holder, world.bob.id
    )
