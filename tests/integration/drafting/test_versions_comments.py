"""A draft's history and conversation: every change is a version naming who made it, an older
version can be restored (a new version, nothing rewritten); viewers comment, authors and the
owner remove comments; renaming and deleting a draft."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Draft, DraftComment, DraftMember, DraftSection, DraftSectionVersion
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import comments, drafts, members, sections, versions
from lumikb_app.services.platform.transactions import read_session, transaction
from tests.integration.drafting.core_world import (
    DraftWorld,
    audited,
    generate,
    make_draft_world,
    source,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def world(request, data_dir, monkeypatch) -> DraftWorld:
    world = make_draft_world(request, monkeypatch)
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "edit")
    return world


def _edit(person, section_id: str, text: str):
    base = sections.start_editing(person, section_id).revision
    return sections.save_section(person, section_id, text, base)


def test_history_names_each_change_and_restoring_writes_a_new_version(world):
    first, second, _ = world.section_ids
    generate(first, "Nightly [1].", [source(1, "backups.md")])
    _edit(world.bob, first, "Every night at two [1].")
    _edit(world.alice, second, "The release team.")
    sections.set_reviewed(world.alice, first, True)

    history = versions.section_history(world.alice, first)
    assert [(v.number, v.change, v.changed_by_name, v.status) for v in history] == [
        (3, "reviewed", "Alice Example", "reviewed"),
        (2, "edited", "Bob Builder", "edited"),
        (1, "generated", "The generator", "drafted"),
    ]
    assert history[2].sources[0]["document_name"] == "backups.md"
    recent = versions.draft_history(world.bob, world.draft_id, limit=3)
    assert [(v.section_title, v.change) for v in recent] == [
        ("How are backups made?", "reviewed"),
        ("Who may deploy?", "edited"),
        ("How are backups made?", "edited"),
    ]
    with pytest.raises(DraftInputError, match="between 1 and 500"):
        versions.draft_history(world.bob, world.draft_id, limit=0)

    restored = versions.restore_version(world.bob, history[2].id)
    assert (restored.content, restored.status, restored.mode) == (
        "Nightly [1].",
        "edited",
        "extractive",
    )
    assert restored.sources[0]["document_name"] == "backups.md"
    after = versions.section_history(world.alice, first)
    assert [(v.number, v.change, v.changed_by_name) for v in after[:1]] == [
        (4, "restored", "Bob Builder")
    ]
    assert len(after) == 4  # nothing rewritten

    sections.start_editing(world.alice, first)
    with pytest.raises(DraftInputError, match="Alice Example is editing"):
        versions.restore_version(world.bob, history[1].id)
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    assert len(versions.section_history(world.bob, first)) == 4  # a viewer reads the history
    with pytest.raises(PermissionDenied, match="not change it"):
        versions.restore_version(world.bob, history[1].id)
    with pytest.raises(PermissionDenied, match="Version not found"):
        versions.restore_version(world.alice, "no-such-version")


def test_viewers_comment_and_only_the_author_or_owner_removes_a_comment(world):
    first, second, _ = world.section_ids
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    bobs = comments.add_comment(world.bob, first, "  Is this still true?\r\n")
    alices = comments.add_comment(world.alice, second, "Ask the release team.")
    assert bobs.body == "Is this still true?" and bobs.author_name == "Bob Builder"
    for bad, message in (("   ", "Write something"), ("x" * 2001, "at most 2,000"), (3, "text")):
        with pytest.raises(DraftInputError, match=message):
            comments.add_comment(world.bob, first, bad)  # type: ignore[arg-type]

    listed = comments.list_comments(world.bob, world.draft_id)
    assert [(c.section_id, c.author_name, c.mine) for c in listed] == [
        (first, "Bob Builder", True),
        (second, "Alice Example", False),
    ]
    with pytest.raises(PermissionDenied, match="Only its author or the draft's owner"):
        comments.delete_comment(world.bob, alices.id)
    comments.delete_comment(world.bob, bobs.id)
    again = comments.add_comment(world.bob, first, "One more")
    comments.delete_comment(world.alice, again.id)  # the owner tidies up
    assert [c.body for c in comments.list_comments(world.alice, world.draft_id)] == [
        "Ask the release team."
    ]
    with pytest.raises(PermissionDenied, match="Comment not found"):
        comments.delete_comment(world.alice, bobs.id)


def test_renaming_needs_edit_and_a_real_title(world):
    assert (
        drafts.rename_draft(world.bob, world.draft_id, "Vendor answers").title == "Vendor answers"
    )
    for bad, message in (
        ("   ", "Give the draft a title"),
        ("x" * 201, "at most 200"),
        (None, "text"),
    ):
        with pytest.raises(DraftInputError, match=message):
            drafts.rename_draft(world.bob, world.draft_id, bad)  # type: ignore[arg-type]
    assert drafts.open_draft(world.alice, world.draft_id).draft.title == "Vendor answers"


def test_the_owner_deletes_a_draft_with_everything_in_it_and_its_file(world):
    first = world.section_ids[0]
    generate(first, "Nightly [1].", [source(1, "backups.md")])
    _edit(world.bob, first, "Nightly at two [1].")
    comments.add_comment(world.bob, first, "Looks right")
    blobs = get_container().blobs
    key = f"drafts/{world.draft_id}/source/questions.xlsx"
    blobs.put(key, io.BytesIO(b"the original file"))
    with transaction() as session:
        draft = session.get(Draft, world.draft_id)
        draft.questionnaire = {"blob_key": key, "filename": "questions.xlsx"}
        session.add(draft)

    with pytest.raises(PermissionDenied, match="Only the draft's owner"):
        drafts.delete_draft(world.bob, world.draft_id)
    drafts.delete_draft(world.alice, world.draft_id, ip="10.1.1.1")

    with pytest.raises(PermissionDenied, match="not found"):
        drafts.open_draft(world.alice, world.draft_id)
    assert drafts.list_drafts(world.bob) == []
    assert not blobs.exists(key)
    with read_session() as session:
        for table in (DraftSection, DraftSectionVersion, DraftComment, DraftMember):
            assert session.exec(select(table).where(table.draft_id == world.draft_id)).all() == []
    [event] = audited("draft.delete")
    assert (event.actor_email, event.target, event.ip) == ("alice@x.io", world.draft_id, "10.1.1.1")
    assert event.details["title"] == "Vendor questionnaire"


def test_a_section_holds_a_bounded_number_of_comments(world, monkeypatch):
    monkeypatch.setattr(comments, "MAX_PER_SECTION", 2)
    first, second, _ = world.section_ids
    comments.add_comment(world.bob, first, "one")
    comments.add_comment(world.alice, first, "two")
    with pytest.raises(DraftInputError, match="has 2 comments already"):
        comments.add_comment(world.bob, first, "three")
    assert comments.add_comment(world.bob, second, "elsewhere").body == "elsewhere"
