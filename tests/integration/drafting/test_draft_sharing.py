"""Sharing a draft: only its owner shares, only with people who read every KB it draws from,
each change audited; a member who loses one KB is refused everywhere, as is anyone else."""

from __future__ import annotations

import pytest

from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.services.accounts import grants, users
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import comments, drafts, members, sections, versions
from tests.integration.drafting.core_world import (
    DraftWorld,
    audited,
    generate,
    make_draft_world,
    source,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> DraftWorld:
    return make_draft_world(request, monkeypatch)


def test_the_owner_shares_with_people_who_read_every_kb_and_each_change_is_audited(world):
    shared = members.share_draft(world.alice, world.draft_id, " BOB@x.io ", "edit", ip="10.0.0.9")
    assert (shared.display_name, shared.role) == ("Bob Builder", "edit")
    with pytest.raises(DraftInputError, match=r"Carol Reader cannot read every .*\(Finance\)"):
        members.share_draft(world.alice, world.draft_id, "carol@x.io", "view")
    with pytest.raises(DraftInputError, match="No active user has this email"):
        members.share_draft(world.alice, world.draft_id, "nobody@x.io", "view")
    with pytest.raises(DraftInputError, match="valid email"):
        members.share_draft(world.alice, world.draft_id, "not an email", "view")
    with pytest.raises(DraftInputError, match="view or edit"):
        members.share_draft(world.alice, world.draft_id, "bob@x.io", "owner")
    with pytest.raises(DraftInputError, match="You own this draft"):
        members.share_draft(world.alice, world.draft_id, "alice@x.io", "edit")
    with pytest.raises(PermissionDenied, match="Only the draft's owner"):  # an editor cannot share
        members.share_draft(world.bob, world.draft_id, "bob@x.io", "view")

    listed = members.list_members(world.bob, world.draft_id)
    assert [(m.display_name, m.role) for m in listed] == [
        ("Alice Example", "owner"),
        ("Bob Builder", "edit"),
    ]
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    assert members.list_members(world.alice, world.draft_id)[1].role == "view"
    with pytest.raises(PermissionDenied, match="view this draft but not change it"):
        drafts.rename_draft(world.bob, world.draft_id, "Mine now")

    members.unshare_draft(world.alice, world.draft_id, world.bob.id, ip="10.0.0.9")
    with pytest.raises(PermissionDenied, match="Draft not found"):
        members.list_members(world.bob, world.draft_id)
    with pytest.raises(DraftInputError, match="not a member"):
        members.unshare_draft(world.alice, world.draft_id, world.bob.id)

    shares = audited("draft.share")
    assert [e.details["role"] for e in shares] == [[None, "edit"], ["edit", "view"]]
    assert {(e.actor_email, e.target, e.ip) for e in shares} == {
        ("alice@x.io", world.draft_id, "10.0.0.9"),
        ("alice@x.io", world.draft_id, None),
    }
    assert [e.details["member"] for e in audited("draft.unshare")] == ["bob@x.io"]


def test_a_deactivated_person_cannot_be_given_a_draft(world):
    users.set_active(world.alice, world.bob.id, False)
    with pytest.raises(DraftInputError, match="No active user"):
        members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    assert audited("draft.share") == []


def test_a_member_who_loses_one_kb_is_refused_everywhere_and_their_lock_holds_nothing(world):
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "edit")
    first, second = world.section_ids[:2]
    generate(first, "Nightly [1].", [source(1, "backups.md")])
    held = sections.start_editing(world.bob, first)
    comment = comments.add_comment(world.bob, second, "Check this one")
    version_id = versions.section_history(world.bob, first)[0].id

    grants.remove_grant(world.alice, world.kb_b, world.bob.id)

    for call in (
        lambda: drafts.open_draft(world.bob, world.draft_id),
        lambda: drafts.changes_since(world.bob, world.draft_id, 0),
        lambda: drafts.rename_draft(world.bob, world.draft_id, "Renamed"),
        lambda: members.list_members(world.bob, world.draft_id),
        lambda: sections.start_editing(world.bob, second),
        lambda: sections.save_section(world.bob, first, "Mine", held.revision),
        lambda: sections.stop_editing(world.bob, first),
        lambda: sections.set_reviewed(world.bob, first, True),
        lambda: sections.mark_all_reviewed(world.bob, world.draft_id),
        lambda: sections.editing_now(world.bob, world.draft_id),
        lambda: versions.section_history(world.bob, first),
        lambda: versions.draft_history(world.bob, world.draft_id),
        lambda: versions.restore_version(world.bob, version_id),
        lambda: comments.add_comment(world.bob, second, "Still here?"),
        lambda: comments.list_comments(world.bob, world.draft_id),
        lambda: comments.delete_comment(world.bob, comment.id),
    ):
        with pytest.raises(PermissionDenied, match="can no longer read"):
            call()
    assert [d for d, _ in drafts.list_drafts(world.bob)] == []

    # Bob's lock no longer keeps anyone out, and nothing he tried was written.
    assert sections.editing_now(world.alice, world.draft_id) == {}
    taken = sections.start_editing(world.alice, first)
    assert taken.content == "Nightly [1]."
    assert [c.body for c in comments.list_comments(world.alice, world.draft_id)] == [
        "Check this one"
    ]


def test_people_without_a_role_are_refused_as_if_the_draft_did_not_exist(world):
    section_id = world.section_ids[0]
    for call in (
        lambda p: members.list_members(p, world.draft_id),
        lambda p: members.share_draft(p, world.draft_id, "olga@x.io", "view"),
        lambda p: members.unshare_draft(p, world.draft_id, world.bob.id),
        lambda p: sections.start_editing(p, section_id),
        lambda p: comments.add_comment(p, section_id, "hello"),
        lambda p: versions.draft_history(p, world.draft_id),
        lambda p: drafts.delete_draft(p, world.draft_id),
    ):
        for person in (world.olga, world.carol, world.bob):
            with pytest.raises(PermissionDenied, match="not found"):
                call(person)
    for missing in ("no-such-id", "", None, 7, "x" * 400):
        with pytest.raises(PermissionDenied, match="not found"):
            sections.start_editing(world.alice, missing)  # type: ignore[arg-type]
