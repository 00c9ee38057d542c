"""Generation on the embedded database with retrieval faked at chat's search seam: queueing,
the job's writes, regenerating into a proposal, accept and reject, cancel."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from lumikb_app.adapters.fake_chat import INSTRUCTION_PREFIX, FakeChatModel
from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, DraftMember, DraftSectionVersion
from lumikb_app.domain.drafting import NOT_COVERED_TEXT, DraftInputError, SectionSeed
from lumikb_app.domain.enums import KbRole, SystemRole
from lumikb_app.services.accounts import grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import create_user
from lumikb_app.services.drafting import drafts, generation, generation_job
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import transaction
from tests.model_registry import answer_with
from tests.unit.drafting.test_section_answer import CORPUS, passage

pytestmark = pytest.mark.unit

QUESTIONS = ["How long are backups kept in the vault?", "Which vendors supply office furniture?"]


@pytest.fixture
def world(migrated, monkeypatch):
    from lumikb_app.services.chat import chat
    from lumikb_app.services.retrieval.terms import key_terms

    def fake_search(user, query, kb_ids, graph=None):
        wanted = set(key_terms(query))
        hits = [(len(wanted & set(key_terms(t))), i, t) for i, t in enumerate(CORPUS)]
        return [passage(i, t, n / len(wanted)) for n, i, t in sorted(hits, reverse=True) if n]

    monkeypatch.setattr(chat, "search_passages", fake_search)
    queued = []
    monkeypatch.setattr(
        get_container().jobs, "enqueue", lambda func, *args, **kw: queued.append(args) or "id"
    )
    with transaction() as session:
        ann, bob = (
            create_user(
                session, email=f"{name}@example.com", display_name=name.title(),
                password="long enough pw", role=SystemRole.member,
            )
            for name in ("ann", "bob")
        )  # fmt: skip
    kb_id = kbs.create_kb(ann, "Ops").id
    grants.set_grant(ann, kb_id, bob.email, KbRole.READ)
    with transaction() as session:
        seeds = [SectionSeed(title=q) for q in QUESTIONS]
        draft = drafts.new_draft(session, ann, title="Ops answers", kb_ids=[kb_id], seeds=seeds)
        session.add(DraftMember(draft_id=draft.id, user_id=bob.id, role="view"))
    answer_with(FakeChatModel(delay=0))
    return ann, bob, draft.id, queued


def run_queued(queued):
    while queued:
        draft_id, section_ids, user_id, instruction = queued.pop(0)
        generation_job.run(draft_id, section_ids, user_id, instruction)


def sections(user, draft_id):
    return drafts.open_draft(user, draft_id).sections


def test_generation_writes_every_section_with_versions_and_totals(world):
    ann, _, draft_id, queued = world
    job_id = generation.start_generation(ann, draft_id)
    opened = drafts.open_draft(ann, draft_id)
    assert [s.generation_state for s in opened.sections] == ["queued", "queued"]
    assert opened.draft.generation["job_id"] == job_id
    assert opened.draft.generation["total"] == 2
    with pytest.raises(DraftInputError, match="being written already"):
        generation.start_generation(ann, draft_id)
    run_queued(queued)
    answered, uncovered = sections(ann, draft_id)
    assert (answered.status, answered.mode, answered.generation_state) == ("drafted", "llm", "done")
    assert answered.sources and "[1]" in answered.content and answered.progress == 1.0
    assert (uncovered.content, uncovered.mode, uncovered.sources) == (
        NOT_COVERED_TEXT, "not_covered", []
    )  # fmt: skip
    assert uncovered.confidence == 0.0
    generation_state = drafts.open_draft(ann, draft_id).draft.generation
    assert (generation_state["state"], generation_state["done"]) == ("done", 2)
    with transaction() as session:
        versions = session.exec(select(DraftSectionVersion.change)).all()
        audited = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "draft.generate")
        ).all()
    assert versions == ["generated", "generated"] and len(audited) == 1


def test_a_regenerated_section_with_text_waits_as_a_proposal_to_accept_or_reject(world):
    ann, _, draft_id, queued = world
    generation.start_generation(ann, draft_id)
    run_queued(queued)
    section = sections(ann, draft_id)[0]
    first = section.content

    answer_with(Reworded(delay=0))
    generation.regenerate_section(ann, section.id, "Say it in one sentence.")
    run_queued(queued)
    section = sections(ann, draft_id)[0]
    assert section.content == first  # untouched until accepted
    assert section.proposal["instruction"] == "Say it in one sentence."
    assert section.proposal["content"] and section.proposal["sources"]
    generation.reject_proposal(ann, section.id)
    assert sections(ann, draft_id)[0].proposal == {}

    answer_with(None)  # the next version quotes the sources instead
    generation.regenerate_section(ann, section.id, "Quote them.")
    run_queued(queued)
    accepted = generation.accept_proposal(ann, section.id)
    assert accepted.mode == "extractive" and accepted.content != first and not accepted.proposal
    with pytest.raises(DraftInputError, match="no regenerated version"):
        generation.accept_proposal(ann, section.id)
    with transaction() as session:
        changes = session.exec(
            select(DraftSectionVersion.change).where(DraftSectionVersion.section_id == section.id)
        ).all()
    assert changes == ["generated", "accepted"]


class Reworded(FakeChatModel):
    def answer(self, messages):
        return "In short: " + super().answer(messages)


def test_an_empty_section_regenerated_gets_the_answer_in_place(world):
    ann, _, draft_id, queued = world
    section = sections(ann, draft_id)[0]
    generation.regenerate_section(ann, section.id, "Be brief.")
    run_queued(queued)
    section = sections(ann, draft_id)[0]
    assert section.content and section.status == "drafted" and section.proposal == {}


def test_a_cancelled_run_writes_nothing_and_frees_the_sections(world):
    ann, _, draft_id, queued = world
    generation.start_generation(ann, draft_id)
    assert generation.cancel_generation(ann, draft_id) == 2
    run_queued(queued)
    assert [(s.content, s.generation_state) for s in sections(ann, draft_id)] == [
        ("", "idle"), ("", "idle")
    ]  # fmt: skip
    assert drafts.open_draft(ann, draft_id).draft.generation["state"] == "cancelled"


def test_a_viewer_cannot_start_regenerate_or_accept(world):
    ann, bob, draft_id, _ = world
    section_id = sections(ann, draft_id)[0].id
    for call in (
        lambda: generation.start_generation(bob, draft_id),
        lambda: generation.regenerate_section(bob, section_id, "x"),
        lambda: generation.accept_proposal(bob, section_id),
        lambda: generation.cancel_generation(bob, draft_id),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_bad_input_is_refused_with_a_reason_and_changes_nothing(world):
    ann, _, draft_id, queued = world
    section_id = sections(ann, draft_id)[0].id
    with pytest.raises(DraftInputError, match="at most 1000"):
        generation.regenerate_section(ann, section_id, "x" * 1001)
    with pytest.raises(DraftInputError, match="not in this draft"):
        generation.start_generation(ann, draft_id, ["not-a-section"])
    assert not queued
    assert {s.generation_state for s in sections(ann, draft_id)} == {"idle"}


def test_sections_someone_is_editing_are_left_alone(world):
    from lumikb_app.services.drafting import sections as section_edits

    ann, bob, draft_id, queued = world
    with transaction() as session:
        member = session.exec(select(DraftMember).where(DraftMember.user_id == bob.id)).one()
        member.role = "edit"
    editing = sections(ann, draft_id)[0]
    section_edits.start_editing(bob, editing.id)
    with pytest.raises(DraftInputError, match="Bob is editing"):
        generation.regenerate_section(ann, editing.id, "")
    generation.start_generation(ann, draft_id)
    assert [s.generation_state for s in sections(ann, draft_id)] == ["idle", "queued"]
    run_queued(queued)
    assert sections(ann, draft_id)[0].content == ""


class CancellingModel(FakeChatModel):
    """Writes, and the person stops the run after the first pieces."""

    def __init__(self, cancel) -> None:
        super().__init__(delay=0)
        self.cancel = cancel

    def _stream(self, messages):
        for i, piece in enumerate(super()._stream(messages)):
            if i == 5:
                self.cancel()
            yield piece


def test_a_section_stopped_mid_way_gets_its_previous_text_back(world):
    ann, _, draft_id, queued = world
    first = sections(ann, draft_id)[0]
    generation.start_generation(ann, draft_id, [first.id])
    run_queued(queued)
    before = sections(ann, draft_id)[0]

    answer_with(CancellingModel(lambda: generation.cancel_generation(ann, draft_id)))
    generation.start_generation(ann, draft_id, [first.id])
    run_queued(queued)
    after = sections(ann, draft_id)[0]
    assert (after.content, after.sources) == (before.content, before.sources)
    assert after.generation_state == "idle"


def test_a_persons_text_is_never_replaced_without_a_side_by_side_proposal(world):
    from lumikb_app.services.drafting import sections as section_edits

    ann, _, draft_id, queued = world
    section = sections(ann, draft_id)[0]
    editing = section_edits.start_editing(ann, section.id)
    section_edits.save_section(ann, section.id, "Written by Ann.", editing.revision)
    with pytest.raises(DraftInputError, match="regenerate one of them"):
        generation.start_generation(ann, draft_id, [section.id])
    generation.start_generation(ann, draft_id)  # all: only the untouched one
    run_queued(queued)
    kept, other = sections(ann, draft_id)
    assert kept.content == "Written by Ann." and other.generation_state == "done"


def test_generating_the_rest_writes_only_sections_without_text_never_drafted_ones(world):
    ann, _, draft_id, queued = world
    first = sections(ann, draft_id)[0]
    generation.start_generation(ann, draft_id, [first.id])
    run_queued(queued)
    drafted = sections(ann, draft_id)[0].content

    generation.start_generation(ann, draft_id)  # the rest: the second one only
    assert [s.generation_state for s in sections(ann, draft_id)] == ["done", "queued"]
    generation.cancel_generation(ann, draft_id)  # ... stopped before it is written
    run_queued(queued)
    generation.start_generation(ann, draft_id)  # a stopped section is still left to write
    assert [s.generation_state for s in sections(ann, draft_id)] == ["done", "queued"]
    run_queued(queued)
    assert [s.content for s in sections(ann, draft_id)] == [drafted, NOT_COVERED_TEXT]
    with pytest.raises(DraftInputError, match="nothing left to draft"):
        generation.start_generation(ann, draft_id)  # every section has text now
    with transaction() as session:
        changes = session.exec(
            select(DraftSectionVersion.change).where(DraftSectionVersion.section_id == first.id)
        ).all()
    assert changes == ["generated"]  # written once, never rewritten by "the rest"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


class TenSecondModel(FakeChatModel):
    """Takes ten seconds of the clock to write each answer."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(delay=0)
        self.clock = clock

    def _stream(self, messages):
        pieces = list(super()._stream(messages))
        for piece in pieces:
            self.clock.now += 10 / len(pieces)
            yield piece


def test_the_drafts_eta_follows_the_observed_time_per_section_and_never_jumps(world, monkeypatch):
    ann, _, draft_id, queued = world
    kb_ids = drafts.open_draft(ann, draft_id).draft.kb_ids
    questions = [QUESTIONS[1]] + [QUESTIONS[0]] * 5  # one quick "not covered", then 5 x 10 s
    with transaction() as session:
        seeds = [SectionSeed(title=q) for q in questions]
        draft_id = drafts.new_draft(session, ann, title="Timed", kb_ids=kb_ids, seeds=seeds).id
    clock = Clock()
    monkeypatch.setattr(generation_job, "time", clock)
    answer_with(TenSecondModel(clock))
    seen = []
    totals = generation_job._Run._totals

    def recorded(run, draft, *, done=0, eta=None):
        seen.append((clock.now, len(getattr(run, "written", run.durations)), eta))
        totals(run, draft, done=done, eta=eta)

    monkeypatch.setattr(generation_job._Run, "_totals", recorded)
    generation.start_generation(ann, draft_id)
    run_queued(queued)
    end = clock.now
    assert end == pytest.approx(50)
    estimates = [(end - t, written, eta) for t, written, eta in seen if eta is not None]
    assert estimates
    for truth, written, eta in estimates:
        assert eta >= truth / 3 - 1  # never far too soon (then rising sevenfold)
        if written:  # from the first written section on: the observed mean x sections left
            assert eta == pytest.approx(truth, abs=0.2 * truth + 5)  # 5: half a section
    first = [eta for _, written, eta in estimates if not written]
    assert all(later <= 1.5 * earlier for earlier, later in zip(first, first[1:], strict=False))


class IgnoresInstructions(FakeChatModel):
    """A model that writes the same answer whatever the person asks for."""

    def answer(self, messages):
        return super().answer([m for m in messages if INSTRUCTION_PREFIX not in m["content"]])


def test_a_regenerated_answer_equal_to_the_text_is_no_change_not_a_proposal(world):
    ann, _, draft_id, queued = world
    generation.start_generation(ann, draft_id)
    run_queued(queued)
    section = sections(ann, draft_id)[0]
    answer_with(IgnoresInstructions(delay=0))
    generation.regenerate_section(ann, section.id, "Say it in one sentence.")
    run_queued(queued)  # the model writes the very same answer
    after = sections(ann, draft_id)[0]
    assert after.content == section.content and after.generation_state == "done"
    assert after.proposal == {
        "unchanged": True,
        "note": "No change: the sources give the same answer.",
        "instruction": "Say it in one sentence.",
    }
    with pytest.raises(DraftInputError, match="no regenerated version"):
        generation.accept_proposal(ann, section.id)
    assert generation.reject_proposal(ann, section.id).proposal == {}  # the note dismissed


def test_without_a_model_an_instruction_chooses_what_is_quoted(world):
    ann, _, draft_id, queued = world
    answer_with(None)
    with transaction() as session:
        seeds = [SectionSeed(title="When do backups run, and what does the canteen serve?")]
        kb_ids = drafts.open_draft(ann, draft_id).draft.kb_ids
        draft_id = drafts.new_draft(session, ann, title="Two", kb_ids=kb_ids, seeds=seeds).id
    generation.start_generation(ann, draft_id)
    run_queued(queued)
    section = sections(ann, draft_id)[0]
    assert "two in the morning" in section.content and "lunch" in section.content
    generation.regenerate_section(ann, section.id, "Only what the canteen serves.")
    run_queued(queued)
    proposal = sections(ann, draft_id)[0].proposal
    assert "lunch" in proposal["content"] and "two in the morning" not in proposal["content"]
