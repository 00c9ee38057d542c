"""A new draft, who finds and opens it, and the revision protocol open pages follow: a page that
has seen revision R reads only the sections changed after R, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import AuditEvent, Draft, DraftSection
from lumikb_app.domain.drafting import DraftInputError, SectionSeed
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import drafts
from lumikb_app.services.drafting.draft_access import bump
from lumikb_app.services.platform.transactions import read_session, transaction
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

SEEDS = [SectionSeed("How are backups tested?", ref="Q1"), SectionSeed("Who approves deploys?")]


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


def _draft(user, kb_ids, seeds=SEEDS, title="Vendor questionnaire") -> Draft:
    with transaction() as session:
        return drafts.new_draft(session, user, title=title, kb_ids=kb_ids, seeds=seeds)


def test_a_new_draft_has_its_sections_in_order_and_is_audited(world):
    draft = _draft(world.reader, [world.kb_a])
    opened = drafts.open_draft(world.reader, draft.id)
    assert opened.role == "owner"
    assert [(s.position, s.title, s.ref, s.status) for s in opened.sections] == [
        (0, "How are backups tested?", "Q1", "empty"),
        (1, "Who approves deploys?", "", "empty"),
    ]
    with read_session() as session:
        events = list(session.exec(select(AuditEvent).where(AuditEvent.action == "draft.create")))
    assert [(e.actor_email, e.target, e.details["sections"]) for e in events] == [
        ("reader@x.io", draft.id, 2)
    ]


@pytest.mark.parametrize(
    ("title", "seeds", "message"),
    [
        ("  ", SEEDS, "Give the draft a title"),
        ("x" * 201, SEEDS, "at most 200"),
        ("Fine", [], "at least one section"),
        ("Fine", [SectionSeed("   ")], "Section 1 has no question"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world, title, seeds, message):
    with pytest.raises(DraftInputError, match=message):
        _draft(world.reader, [world.kb_a], seeds, title)
    assert drafts.list_drafts(world.reader) == []


def test_a_draft_may_only_draw_from_kbs_its_owner_can_read(world):
    with pytest.raises(PermissionDenied):
        _draft(world.reader, [world.kb_a, world.kb_b])
    with pytest.raises(DraftInputError, match="at least one knowledge base"):
        _draft(world.reader, [])
    assert drafts.list_drafts(world.reader) == []


def test_nobody_else_finds_or_opens_a_draft_and_its_owner_loses_it_with_kb_access(world):
    draft = _draft(world.reader, [world.kb_a])
    assert drafts.list_drafts(world.outsider) == []
    for stranger in (world.outsider, world.admin):  # a system admin is not a member either
        with pytest.raises(PermissionDenied, match="Draft not found"):
            drafts.open_draft(stranger, draft.id)
    with pytest.raises(PermissionDenied, match="Draft not found"):
        drafts.open_draft(world.reader, "no-such-draft")

    grants.remove_grant(world.admin, world.kb_a, world.reader.id)
    assert drafts.list_drafts(world.reader) == []
    with pytest.raises(PermissionDenied, match="can no longer read"):
        drafts.open_draft(world.reader, draft.id)
    with pytest.raises(PermissionDenied, match="can no longer read"):
        drafts.changes_since(world.reader, draft.id, 0)

    grants.set_grant(world.admin, world.kb_a, world.reader.email, KbRole.READ)
    assert [d.id for d, role in drafts.list_drafts(world.reader)] == [draft.id]


def test_a_page_reads_only_the_sections_changed_after_the_revision_it_has_seen(world):
    draft = _draft(world.reader, [world.kb_a])
    seen = drafts.changes_since(world.reader, draft.id, 0)
    assert len(seen.sections) == 2
    assert drafts.changes_since(world.reader, draft.id, seen.revision).sections == []

    with transaction() as session:
        second = drafts.sections_of(session, draft.id)[1]
        second.content = "The release manager approves deploys."
        bump(session, draft.id, second)
    changed = drafts.changes_since(world.reader, draft.id, seen.revision)
    assert changed.revision == seen.revision + 1
    assert [(s.title, s.content) for s in changed.sections] == [
        ("Who approves deploys?", "The release manager approves deploys.")
    ]
    with pytest.raises(DraftInputError):
        drafts.changes_since(world.reader, draft.id, -1)


def test_concurrent_changes_each_get_their_own_revision(world):
    """Writers in parallel (a generation job and an editor) never share a revision, so a page
    that read between two commits cannot skip the second one."""
    draft = _draft(world.reader, [world.kb_a])
    errors: list[BaseException] = []

    def change(position: int) -> None:
        try:
            for _ in range(5):
                with transaction() as session:
                    section = drafts.sections_of(session, draft.id)[position]
                    section.content += "x"
                    bump(session, draft.id, section)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(p,)) for p in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session() as session:
        final = session.get(Draft, draft.id)
        sections = drafts.sections_of(session, draft.id)
    assert final is not None and final.revision == 1 + 10
    assert [len(s.content) for s in sections] == [5, 5]
    assert len({s.revision for s in sections}) == 2


def test_upgrade_is_idempotent_with_drafts_present(world):
    _draft(world.reader, [world.kb_a])
    upgrade()
    with read_session() as session:
        assert len(session.exec(select(DraftSection)).all()) == 2
