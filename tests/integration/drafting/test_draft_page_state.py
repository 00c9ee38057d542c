"""The draft page's state, its handlers called as a browser sends them (past the event guard,
with each person's session cookie), and its live watcher's ticks: what the owner and a member
see, live edits and locks, a refused save that keeps the text, the section being written going
to its small live var, review, and a member who loses access to one of the draft's KBs."""

from __future__ import annotations

import pytest

import lumikb_app.lumikb_app  # noqa: F401  (the app's import order: see requests.md)
from lumikb_app.db.tables import Draft, DraftSection, User
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.accounts.auth import COOKIE_NAME
from lumikb_app.services.drafting import members
from lumikb_app.services.drafting.draft_access import bump
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.state.drafting import draft_editor, draft_watch
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.drafting.section_edit import SectionEditState
from tests.integration.drafting.core_world import (
    PASSWORD,
    DraftWorld,
    generate,
    make_draft_world,
    source,
)
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite"])
def world(request, data_dir, monkeypatch) -> DraftWorld:
    world = make_draft_world(request, monkeypatch)
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "edit")
    return world


async def _page(user: User, draft_id: str) -> SectionEditState:
    token = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    path = f"/drafts/{draft_id}"
    root = signed_in_state(SectionEditState.get_root_state(), token, path, draft_id=draft_id)
    root.router = type(root.router).from_router_data(  # the browser's address, as it sends it
        {
            "headers": {"cookie": f"{COOKIE_NAME}={token}"},
            "pathname": path,
            "asPath": path,
            "query": {"draft_id": draft_id},
        }
    )
    page = root.get_substate(SectionEditState.get_full_name().split("."))
    await DraftEditorState.load_draft.fn(page)
    return page


def _tick(page: DraftEditorState, editors: bool = True) -> bool | None:
    """One look of the live watcher, as the background event takes it."""
    look = page._look()
    assert look is not None
    if editors:
        look = type(look)(**{**look.__dict__, "editors": True})
    return page._show_read(look, draft_editor._read(look))


def _texts(page: DraftEditorState) -> list[str]:
    return ["".join(segment.text for segment in view.segments) for view in page.sections]


async def test_a_member_sees_answers_with_badges_and_sources_appear_live(world):
    bob = await _page(world.bob, world.draft_id)
    assert [v.title for v in bob.sections][0] == "How are backups made?"
    assert [v.status for v in bob.sections] == ["empty"] * 3 and bob.can_edit
    assert _tick(bob) is False  # nothing moved

    generate(world.section_ids[0], "Backups run nightly [1].", [source(1, "backups.md")])
    assert _tick(bob) is True
    first = bob.sections[0]
    assert first.status == "drafted" and first.confidence_label == "High confidence · 80%"
    badge = [s for s in first.segments if s.n == 1][0]
    assert badge.href == "/view/backups.md" and badge.document_name == "backups.md"
    assert [(s.n, s.document_name, s.href) for s in first.sources] == [
        (1, "backups.md", "/view/backups.md")
    ]
    assert bob.answered_count == 1 and bob.generate_label == "Generate the rest"


async def test_editing_shows_the_holder_to_others_and_a_saved_text_live(world):
    section_id = world.section_ids[0]
    generate(section_id, "Backups run nightly [1].", [source(1, "backups.md")])
    alice = await _page(world.alice, world.draft_id)
    bob = await _page(world.bob, world.draft_id)

    await SectionEditState.start_edit.fn(alice, section_id)
    assert alice.edit_id == section_id and alice.edit_text == "Backups run nightly [1]."
    assert [s.n for s in alice.edit_preview if s.n] == [1]
    SectionEditState.edit_changed.fn(alice, "Backups run at 02:00 [1] and hourly [7].")
    assert [s.n for s in alice.edit_preview if s.n] == [1]  # [7] names no source: plain text

    _tick(bob)
    assert bob.editing_by == {section_id: "Alice Example"}
    await SectionEditState.start_edit.fn(bob, section_id)
    assert bob.edit_id == "" and bob.error_section_id == section_id
    assert bob.section_error == "Alice Example is editing this section."

    await SectionEditState.save_edit.fn(alice, {"content": "Backups run at 02:00 [1] [7]."})
    assert alice.edit_id == "" and alice.notice == "Saved."
    assert alice.sections[0].status == "edited"
    _tick(bob)
    assert bob.editing_by == {} and bob.sections[0].status == "edited"
    assert _texts(bob)[0] == "Backups run at 02:00 1."  # the unknown marker was dropped


async def test_a_refused_save_is_explained_and_the_text_stays_in_the_editor(world):
    section_id = world.section_ids[1]
    generate(section_id, "Only leads deploy [1].", [source(1, "deploys.md")])
    alice = await _page(world.alice, world.draft_id)
    await SectionEditState.start_edit.fn(alice, section_id)
    with transaction() as session:  # the section changes under the editor (e.g. a restore)
        row = session.get(DraftSection, section_id)
        assert row is not None
        row.content, row.updated_by = "Changed elsewhere [1].", world.bob.id
        bump(session, row.draft_id, row)

    await SectionEditState.save_edit.fn(alice, {"content": "My careful answer [1]."})
    assert alice.edit_id == section_id and alice.edit_text == "My careful answer [1]."
    assert alice.edit_error.startswith("Bob Builder changed this section while you were editing")
    assert world.section(1).content == "Changed elsewhere [1]."


async def test_the_section_being_written_goes_to_the_live_var_not_the_list(world):
    section_id = world.section_ids[2]
    bob = await _page(world.bob, world.draft_id)
    with transaction() as session:
        row = session.get(DraftSection, section_id)
        assert row is not None
        row.content, row.sources = "Reviews happen [1]", [source(1, "pay.md", "Finance")]
        row.generation_state, row.progress, row.eta_seconds = "generating", 0.5, 3.0
        bump(session, row.draft_id, row)
    before = list(bob.sections)
    _tick(bob)
    assert bob.sections == before  # the list is not re-sent while the text grows
    assert bob.live_section_id == section_id and not bob.live_is_proposal
    assert [s.n for s in bob.live_segments if s.n] == [1]
    assert bob.progress[section_id].label == "Writing · about 3 s left"


async def test_review_needs_edit_access_and_mark_all_counts(world):
    for index in (0, 1):
        generate(world.section_ids[index], f"Answer {index} [1].", [source(1, f"d{index}.md")])
    members.share_draft(world.alice, world.draft_id, "bob@x.io", "view")
    bob = await _page(world.bob, world.draft_id)
    assert not bob.can_edit
    await DraftEditorState.set_reviewed.fn(bob, world.section_ids[0], True)
    assert bob.section_error != "" and world.section(0).status == "drafted"

    alice = await _page(world.alice, world.draft_id)
    await DraftEditorState.mark_all_reviewed.fn(alice)
    assert alice.notice == "2 sections marked reviewed."
    _tick(bob)
    assert [v.status for v in bob.sections] == ["reviewed", "reviewed", "empty"]


async def test_a_member_who_loses_a_kb_no_longer_sees_the_draft(world):
    generate(world.section_ids[0], "Backups run nightly [1].", [source(1, "backups.md")])
    bob = await _page(world.bob, world.draft_id)
    assert bob.sections
    grants.remove_grant(world.alice, world.kb_b, world.bob.id)
    assert _tick(bob) is None  # the watcher stops
    assert bob.sections == [] and "can no longer read" in bob.draft_error
    outsider = await _page(world.olga, world.draft_id)
    assert outsider.sections == [] and outsider.draft_error == "Draft not found."


async def test_a_proposal_shows_beside_the_answer_and_accepting_replaces_it(world):
    section_id = world.section_ids[0]
    generate(section_id, "Backups run nightly [1].", [source(1, "backups.md")])
    alice = await _page(world.alice, world.draft_id)
    with transaction() as session:  # as the job leaves a regenerated section with text
        row = session.get(DraftSection, section_id)
        assert row is not None
        row.proposal = {
            "content": "Nightly, kept 30 days [1].",
            "sources": [source(1, "retention.md")],
            "confidence": 0.5,
            "mode": "llm",
            "instruction": "Mention retention.",
        }
        bump(session, row.draft_id, row)
    _tick(alice)
    shown = alice.sections[0]
    assert shown.has_proposal and shown.proposal_instruction == "Mention retention."
    assert [s.document_name for s in shown.proposal_sources] == ["retention.md"]
    assert shown.proposal_confidence_label == "Medium confidence · 50%"

    await DraftEditorState.accept_proposal.fn(alice, section_id)
    assert alice.section_error == ""
    accepted = alice.sections[0]
    assert not accepted.has_proposal and _texts(alice)[0] == "Nightly, kept 30 days 1."
    assert world.section(0).content == "Nightly, kept 30 days [1]."


async def test_generate_the_rest_is_offered_only_while_a_section_has_no_text(world):
    for index in (0, 1):
        generate(world.section_ids[index], f"Answer {index} [1].", [source(1, f"d{index}.md")])
    alice = await _page(world.alice, world.draft_id)
    assert alice.can_generate and alice.generate_label == "Generate the rest"
    assert alice.generate_hint == "Draft the 1 section without text."

    generate(world.section_ids[2], "Answer 2 [1].", [source(1, "d2.md")])
    _tick(alice)
    assert not alice.can_generate  # a complete run leaves nothing for the button to draft
    assert alice.generate_hint.startswith("Every section has text.")


async def test_the_started_notice_becomes_a_summary_when_the_run_ends(world):
    alice = await _page(world.alice, world.draft_id)
    alice.gen_active, alice.notice = True, draft_editor.STARTED  # as generate() leaves it
    generate(world.section_ids[0], "Answer [1].", [source(1, "d.md")])
    generate(world.section_ids[1], "Not covered.", [], mode="not_covered")
    generate(world.section_ids[2], "Answer [1].", [source(1, "e.md")])
    _tick(alice)
    assert not alice.gen_active
    assert alice.notice == "Drafted 2 of 3 sections · 1 not covered."


async def test_the_brief_shows_and_a_reviewed_not_covered_answer_counts_once(world):
    with transaction() as session:
        draft = session.get(Draft, world.draft_id)
        assert draft is not None
        draft.brief = "Our answers to the vendor security review."
    generate(world.section_ids[0], "Answer [1].", [source(1, "d.md")])
    generate(world.section_ids[1], "Not covered.", [], mode="not_covered")
    alice = await _page(world.alice, world.draft_id)
    assert alice.draft_brief == "Our answers to the vendor security review."
    for section_id in world.section_ids[:2]:
        await DraftEditorState.set_reviewed.fn(alice, section_id, True)
    assert alice.counts_label == "1 of 3 answered · 1 not covered · 2 of 3 reviewed"


async def test_a_closed_tab_gives_back_the_lock_its_editor_held(world):
    section_id = world.section_ids[0]
    generate(section_id, "Answer [1].", [source(1, "d.md")])
    alice = await _page(world.alice, world.draft_id)
    bob = await _page(world.bob, world.draft_id)
    await SectionEditState.start_edit.fn(alice, section_id)
    _tick(bob)
    assert bob.editing_by == {section_id: "Alice Example"}

    class _ClosedTab:  # alice's tab as the watcher finds it once its socket is gone
        async def look(self):
            return alice._look()

        async def show(self, look, read):
            raise AssertionError("a closed tab is not shown anything")

    await draft_watch.watch(_ClosedTab(), connected=lambda tab: False, interval=0)
    _tick(bob)
    assert bob.editing_by == {}
    await SectionEditState.start_edit.fn(bob, section_id)
    assert bob.edit_id == section_id and bob.section_error == ""


async def test_a_sections_comments_button_brings_the_panel_into_view_on_a_phone(world):
    alice = await _page(world.alice, world.draft_id)
    event = DraftEditorState.show_panel.fn(alice, "comments")
    assert alice.panel_tab == "comments"
    script = str(event)
    assert "innerWidth < 992" in script and draft_editor.PANEL_ID in script
