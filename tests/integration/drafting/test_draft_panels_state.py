"""The draft page's side panels, their handlers called as a browser sends them: the owner shares
by email (view or edit), changes a role and removes a member, and is told why someone who cannot
read every KB is refused; a member sees the people but cannot share; comments per section, each
deleted by its author or the owner only; the history of the draft and of a section, and a
restore that a viewer cannot make."""

from __future__ import annotations

import pytest

from lumikb_app.services.drafting import members
from lumikb_app.state.drafting.comments import ALL, CommentsState
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.history import HistoryState
from lumikb_app.state.drafting.members import MembersState
from tests.integration.drafting.core_world import (
    DraftWorld,
    generate,
    make_draft_world,
    source,
)
from tests.integration.drafting.page_states import draft_page, page_state, watcher_looks

pytestmark = pytest.mark.integration


@pytest.fixture
def world(request, data_dir, monkeypatch) -> DraftWorld:
    return make_draft_world(request, monkeypatch)


async def _panel(state_class, user, world: DraftWorld):
    path = f"/drafts/{world.draft_id}"
    return await page_state(state_class, user, path, draft_id=world.draft_id)


def _emails(page: MembersState) -> list[tuple[str, str]]:
    return [(m.email, m.role) for m in page.member_rows]


async def test_the_owner_shares_changes_a_role_and_removes_a_member(world):
    owner = await _panel(MembersState, world.alice, world)
    await MembersState.load_members.fn(owner)
    assert owner.members_owner and _emails(owner) == [("alice@x.io", "owner")]

    MembersState.set_share_role.fn(owner, "edit")
    await MembersState.share.fn(owner, {"email": "bob@x.io"})
    assert owner.members_notice == "Shared with bob@x.io: they can edit."
    await MembersState.share.fn(owner, {"email": "carol@x.io"})
    assert "Finance" in owner.members_error  # Carol cannot read Finance, one of its KBs
    assert _emails(owner) == [("alice@x.io", "owner"), ("bob@x.io", "edit")]

    bob = next(m for m in owner.member_rows if m.email == "bob@x.io")
    await MembersState.change_member_role.fn(owner, bob.user_id, "view")
    assert _emails(owner)[1] == ("bob@x.io", "view") and owner.member_count_label == "2 people"

    member = await _panel(MembersState, world.bob, world)
    await MembersState.load_members.fn(member)
    assert not member.members_owner and len(member.member_rows) == 2
    await MembersState.share.fn(member, {"email": "olga@x.io"})  # a hand-made event
    assert member.members_error == "Only the draft's owner can do this."

    await MembersState.unshare.fn(owner, bob.user_id)
    assert owner.members_notice == "Removed bob@x.io." and len(owner.member_rows) == 1
    await MembersState.load_members.fn(member)
    assert member.member_rows == [] and member.members_error == "Draft not found."


async def test_comments_per_section_deleted_by_their_author_or_the_owner(world):
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    first, second = world.section_ids[:2]
    bob = await _panel(CommentsState, world.bob, world)
    await CommentsState.load_comments.fn(bob)
    assert bob.comments_section == ALL and len(bob.comment_sections) == 3
    await CommentsState.add_comment.fn(bob, {"body": "Which backups?"})
    assert bob.comments_error == "Choose the section to comment on."

    await CommentsState.show_section_comments.fn(bob, first)
    await CommentsState.add_comment.fn(bob, {"body": "Which backups?"})  # a viewer may comment
    assert [c.body for c in bob.shown_comments] == ["Which backups?"] and bob.comment_form_key == 1

    owner = await _panel(CommentsState, world.alice, world)
    await CommentsState.show_section_comments.fn(owner, second)
    await CommentsState.add_comment.fn(owner, {"body": "Ask Ops."})
    assert [c.body for c in owner.shown_comments] == ["Ask Ops."]
    CommentsState.set_comments_section.fn(owner, ALL)
    assert [(c.author, c.section_title) for c in owner.shown_comments] == [
        ("Bob Builder", "How are backups made?"), ("Alice Example", "Who may deploy?"),
    ]  # fmt: skip
    assert owner.comment_counts == {first: 1, second: 1}
    assert all(c.can_delete for c in owner.comment_rows)  # the owner may delete any

    await CommentsState.load_comments.fn(bob)
    alices = next(c for c in bob.comment_rows if c.author == "Alice Example")
    assert not alices.can_delete
    await CommentsState.delete_comment.fn(bob, alices.id)  # a hand-made event
    assert bob.comments_error and len(bob.comment_rows) == 2
    bobs = next(c for c in owner.comment_rows if c.author == "Bob Builder")
    await CommentsState.delete_comment.fn(owner, bobs.id)
    assert [c.body for c in owner.comment_rows] == ["Ask Ops."]


async def test_an_open_comments_panel_shows_another_members_comments_live(world):
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    alice, bob = (
        await draft_page(world.alice, world.draft_id),
        await draft_page(world.bob, world.draft_id),
    )
    seen: CommentsState = await alice.get_state(CommentsState)
    await CommentsState.load_comments.fn(seen)
    DraftEditorState.set_panel_tab.fn(alice, "comments")
    assert await watcher_looks(alice) is False and seen.comment_rows == []

    said: CommentsState = await bob.get_state(CommentsState)
    await CommentsState.show_section_comments.fn(said, world.section_ids[0])
    await CommentsState.add_comment.fn(said, {"body": "Which backups?"})  # Bob, another browser
    await watcher_looks(alice)
    assert [(c.author, c.body) for c in seen.comment_rows] == [("Bob Builder", "Which backups?")]
    assert seen.comment_counts == {world.section_ids[0]: 1}

    await CommentsState.delete_comment.fn(said, said.comment_rows[0].id)
    await watcher_looks(alice)
    assert seen.comment_rows == []

    DraftEditorState.set_panel_tab.fn(alice, "people")  # a closed panel reads nothing...
    await CommentsState.add_comment.fn(said, {"body": "Ask Ops."})
    await watcher_looks(alice)
    assert seen.comment_rows == []
    DraftEditorState.set_panel_tab.fn(alice, "comments")  # ...and catches up when opened
    await watcher_looks(alice)
    assert [c.body for c in seen.comment_rows] == ["Ask Ops."]


async def test_history_lists_who_changed_what_and_an_editor_restores_a_version(world):
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    section = world.section_ids[0]
    generate(section, "Nightly [1].", [source(1, "backups.md")])
    generate(section, "Hourly [1].", [source(1, "backups.md")])

    owner = await _panel(HistoryState, world.alice, world)
    await HistoryState.load_history.fn(owner)
    assert owner.history_heading == "Latest changes" and owner.history_can_restore
    assert [(v.number, v.change, v.who) for v in owner.version_rows] == [
        ("v2", "Written from the sources", "The generator"),
        ("v1", "Written from the sources", "The generator"),
    ]
    await HistoryState.show_section_history.fn(owner, section)
    assert owner.history_heading == "History of “How are backups made?”"
    older = owner.version_rows[1]
    assert older.excerpt == "Nightly [1]."

    viewer = await _panel(HistoryState, world.bob, world)
    await HistoryState.show_section_history.fn(viewer, section)
    assert not viewer.history_can_restore
    HistoryState.ask_restore_version.fn(viewer, older.id)
    assert viewer.restore_version_id == ""  # no Restore for a viewer
    await HistoryState.confirm_restore_version.fn(viewer, older.id)  # a hand-made event
    assert viewer.history_error and len(viewer.version_rows) == 2

    HistoryState.ask_restore_version.fn(owner, older.id)
    assert owner.restore_version_label == "v1 of “How are backups made?”"
    await HistoryState.confirm_restore_version.fn(owner, owner.restore_version_id)
    assert owner.history_notice == "Restored v1 of “How are backups made?”."
    assert [(v.number, v.change, v.who, v.excerpt) for v in owner.version_rows][0] == (
        "v3", "Restored", "Alice Example", "Nightly [1].",
    )  # fmt: skip
