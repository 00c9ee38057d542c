"""The drafting job: write a draft's queued sections one after another, for the user who asked.

The requesting user's access is checked again before each section (a member who can no longer
edit the draft, or read one of its KBs, generates nothing more), and searches act as that
user. Each section streams its text into `content` (or, regenerating a section that has text,
into `proposal`), written at most every WRITE_EVERY seconds with a revision bump each time, so
open pages follow it live, with its progress and ETA, and the draft's totals and ETA. A
section that fails says why and keeps the text it had; the next ones continue. Cancelling (see
generation.cancel_generation) takes the sections out of "generating"; the job sees it at its
next write, puts the section's text back and stops. A regenerated answer that says what the
section says already is not proposed: the proposal is only NO_CHANGE's note.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Draft, DraftSection, User
from lumikb_app.domain.drafting import GenerationState, SectionMode, SectionStatus
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting.draft_access import bump, require_draft
from lumikb_app.services.drafting.section_answer import (
    SectionAnswer,
    SectionBrief,
    SectionFailed,
    SectionWriter,
)
from lumikb_app.services.drafting.section_locks import hold_draft
from lumikb_app.services.drafting.versions import record_version
from lumikb_app.services.platform.transactions import read_session, transaction

log = logging.getLogger(__name__)

WRITE_EVERY = 0.25  # seconds between writes of streamed text: at most ~4 revisions a second
EXPECTED_CHARS = {"short": 400, "medium": 900, "long": 1800}  # for a streaming section's progress
SEARCHED = 0.2  # a section's progress once its sources are found
PACE_AFTER = 1.0  # seconds of writing before its pace is a guide to the draft's time left
FAILED = "Writing this section failed. Try again in a moment."
LOST_ACCESS = (
    "Not written: the person who started drafting can no longer edit this draft or read every "
    "knowledge base it draws from."
)
# A regenerated answer equal to the section's text is not proposed (two identical columns to
# compare): the section keeps its text and its proposal holds only this note (no "content").
NO_CHANGE = "No change: the sources give the same answer."
Q, G = GenerationState.queued.value, GenerationState.generating.value


@dataclass
class _Section:
    """What the job needs of a section it is writing, and what to put back if it stops."""

    id: str
    brief: SectionBrief
    proposal: bool  # regenerating a section with text: the answer waits for accept/reject
    before: dict[str, Any]
    started: float = 0.0
    writing_since: float | None = None  # when its first piece of text came
    written: str | None = None  # the text this run last wrote into `content`


def run(
    draft_id: str,
    section_ids: Sequence[str],
    user_id: str,
    instruction: str | None = None,
    job_id: str | None = None,
) -> int:
    """Write the sections (those still queued, in order); `instruction` set: a regeneration
    with that extra instruction. `job_id` (the RQ job's) lets a newer run or a cancel stop
    this one. Returns how many sections were written."""
    return _Run(draft_id, list(section_ids), user_id, instruction, job_id).run()


@dataclass
class _Run:
    draft_id: str
    section_ids: list[str]
    user_id: str
    instruction: str | None
    job_id: str | None
    durations: list[float] = field(default_factory=list)  # of every finished section
    written: list[float] = field(default_factory=list)  # of those with an answer
    outcome: str = GenerationState.done.value

    def run(self) -> int:
        written = 0
        try:
            for section_id in self.section_ids:
                user = self._allowed_user()
                if user is None:
                    break
                written += self._write(user, section_id)
        finally:
            self._close()
        return written

    def _allowed_user(self) -> User | None:
        """The requesting user while they may still edit the draft and this run is current."""
        with read_session() as session:
            user = session.get(User, self.user_id)
            draft = session.get(Draft, self.draft_id)
            if draft is None or not self._current(draft):
                self.outcome = "cancelled"
                return None
            if user is None or not _may_edit(session, user, self.draft_id):
                self.outcome = GenerationState.failed.value
                return None
            session.expunge(user)
            return user

    def _current(self, draft: Draft) -> bool:
        run = draft.generation
        if run.get("state") == "cancelled":
            return False
        return self.job_id is None or run.get("job_id") == self.job_id

    def _write(self, user: User, section_id: str) -> int:
        section = self._begin(section_id)
        if section is None:
            return 0
        writer = SectionWriter(user, section.brief)
        last = 0.0
        try:
            for _ in writer.pieces():
                if section.writing_since is None:
                    section.writing_since = time.monotonic()
                if time.monotonic() - last >= WRITE_EVERY:
                    last = time.monotonic()
                    if not self._progress(section, writer):
                        self._put_back(section, GenerationState.idle, None)
                        return 0
        except SectionFailed as exc:
            self._put_back(section, GenerationState.failed, str(exc))
            return 0
        except Exception:
            log.exception("writing draft section %s failed", section_id)
            self._put_back(section, GenerationState.failed, FAILED)
            return 0
        assert writer.answer is not None
        if not self._finish(section, writer.answer):
            self._put_back(section, GenerationState.idle, None)
            return 0
        return 1

    def _begin(self, section_id: str) -> _Section | None:
        with transaction() as session:
            hold_draft(session, self.draft_id)
            row = session.get(DraftSection, section_id)
            draft = session.get(Draft, self.draft_id)
            if row is None or draft is None or row.draft_id != draft.id:
                return None
            if row.generation_state != Q:
                return None  # cancelled, or taken by a newer run
            row.generation_state, row.progress, row.generation_error = G, 0.0, None
            row.eta_seconds = self._per_section()
            self._totals(draft, eta=self._draft_eta(row.eta_seconds))
            bump(session, draft.id, row)
            return _Section(
                row.id,
                SectionBrief(
                    question=row.title,
                    kb_ids=list(draft.kb_ids),
                    instruction=row.instruction,
                    topic=draft.brief,
                    extra=self.instruction or "",
                    answer_length=draft.answer_length,
                    tone=draft.tone,
                ),
                proposal=self.instruction is not None and bool(row.content.strip()),
                started=time.monotonic(),
                before={
                    "content": row.content,
                    "sources": row.sources,
                    "mode": row.mode,
                    "confidence": row.confidence,
                },
            )

    def _progress(self, section: _Section, writer: SectionWriter) -> bool:
        """Write the text so far; False when the section was taken out of generating."""
        expected = EXPECTED_CHARS.get(section.brief.answer_length, 900)
        share = min(1.0, len(writer.text) / expected)
        progress = round(SEARCHED + (0.95 - SEARCHED) * share, 3)
        elapsed = time.monotonic() - section.started
        eta = self._section_left(section, elapsed, share)
        with transaction() as session:
            row, draft = self._rows(session, section.id)
            if row is None or draft is None:
                return False
            if section.proposal:
                row.proposal = _proposal(writer.text, writer.sources_so_far(), section, None, "")
            else:
                row.content, row.sources = writer.text, writer.sources_so_far()
                section.written = writer.text
            row.progress, row.eta_seconds = progress, eta
            paced = section.writing_since is not None and (
                time.monotonic() - section.writing_since >= PACE_AFTER
            )
            self._totals(draft, eta=self._draft_eta(eta, elapsed if paced else None))
            bump(session, draft.id, row)
        return True

    def _finish(self, section: _Section, answer: SectionAnswer) -> bool:
        elapsed = time.monotonic() - section.started
        with transaction() as session:
            row, draft = self._rows(session, section.id)
            if row is None or draft is None:
                return False
            if section.proposal and _same_text(answer.content, row.content):
                row.proposal = {
                    "unchanged": True,
                    "note": NO_CHANGE,
                    "instruction": section.brief.extra,
                }
            elif section.proposal:
                row.proposal = _proposal(
                    answer.content, answer.sources, section, answer.confidence, answer.mode
                )
            else:
                row.content, row.sources = answer.content, answer.sources
                row.mode, row.confidence = answer.mode, answer.confidence
                row.status, row.updated_by = SectionStatus.drafted.value, self.user_id
            row.generation_state = GenerationState.done.value
            row.progress, row.eta_seconds = 1.0, 0.0
            self.durations.append(elapsed)
            if answer.mode != SectionMode.not_covered.value:
                self.written.append(elapsed)
            self._totals(draft, done=1, eta=self._draft_eta(None, finished=True))
            bump(session, draft.id, row)
            if not section.proposal:
                record_version(session, row, "generated", self.user_id)
        return True

    def _put_back(self, section: _Section, state: GenerationState, error: str | None) -> None:
        """The section as it was before this run, with the state and the reason."""
        with transaction() as session:
            hold_draft(session, self.draft_id)
            row = session.get(DraftSection, section.id)
            if row is None:
                return
            if section.proposal:
                row.proposal = {}
            elif section.written is not None and row.content == section.written:
                # still this run's text (a person who saved after a cancel keeps theirs)
                row.content, row.sources = section.before["content"], section.before["sources"]
                row.mode, row.confidence = section.before["mode"], section.before["confidence"]
            if row.generation_state in (Q, G):
                row.generation_state = state.value
            row.progress, row.eta_seconds, row.generation_error = 0.0, None, error
            bump(session, row.draft_id, row)

    def _rows(self, session: Session, section_id: str) -> tuple[DraftSection | None, Draft | None]:
        """The section and its draft, while this run still writes them."""
        hold_draft(session, self.draft_id)
        row = session.get(DraftSection, section_id)
        draft = session.get(Draft, self.draft_id)
        if row is None or draft is None or row.generation_state != G or not self._current(draft):
            return None, None
        return row, draft

    def _per_section(self) -> float | None:
        """The observed mean time of a finished written section. Sections the sources did not
        cover do not count: they take no writing, so a first one (0.3 s) would promise the
        next written ones (5 s each) far too soon. None before one finished (then the section
        being written is the estimate, see _section_left)."""
        if not self.written:
            return None
        return round(sum(self.written) / len(self.written), 1)

    def _section_left(self, section: _Section, elapsed: float, share: float) -> float:
        """The section's time left: the observed mean less its time so far; past the mean (a
        slow one), or before any mean (the first), at its pace of writing so far the rest of
        a usual answer's length (`share` of it is written), at most half a mean more."""
        per_section = self._per_section()
        if per_section is not None and per_section > elapsed:
            return round(per_section - elapsed, 1)
        if section.writing_since is None or share <= 0:
            return round(per_section or elapsed, 1)
        writing = time.monotonic() - section.writing_since
        left = writing / share * (1 - min(share, 0.95))
        return round(left if per_section is None else min(left, per_section / 2), 1)

    def _draft_eta(
        self, left: float | None, elapsed: float | None = 0.0, finished: bool = False
    ) -> float | None:
        """The draft's time left: the current section's time `left` plus the observed mean
        per section for each section after it. Until a written section has finished, the one
        being written (its time so far plus left, once it has written for PACE_AFTER seconds:
        `elapsed` None before) stands in for the mean: a plain estimate that errs long
        (answers shorter than usual), corrected by the first finished sections, not one that
        later rises sevenfold. Sections
        not covered (no writing) count as written ones: the estimate errs long, not short."""
        after = len(self.section_ids) - len(self.durations) - (0 if finished else 1)
        per_section = self._per_section()
        if per_section is None and left is not None and elapsed is not None:
            per_section = left + elapsed
        if per_section is None:
            return None
        return round((left or 0.0) + per_section * max(0, after), 1)

    def _totals(self, draft: Draft, *, done: int = 0, eta: float | None = None) -> None:
        if not self._current(draft):
            return
        run = dict(draft.generation)
        run["state"] = G
        run["done"] = int(run.get("done", 0)) + done
        run["eta_seconds"] = eta
        draft.generation = run  # a new dict: the JSON column sees the change

    def _close(self) -> None:
        """The run is over: sections it did not reach are released (failed with the reason
        when the requester lost access), and the draft's totals say how it ended."""
        with transaction() as session:
            hold_draft(session, self.draft_id)
            draft = session.get(Draft, self.draft_id)
            if draft is None:
                return
            current = self._current(draft)
            lost = self.outcome == GenerationState.failed.value
            left = session.exec(
                select(DraftSection).where(
                    col(DraftSection.id).in_(self.section_ids),
                    col(DraftSection.generation_state).in_([Q, G]),
                )
            ).all()
            released = list(left) if current or lost else []
            for row in released:
                row.generation_state = GenerationState.failed.value if lost else "idle"
                row.generation_error = LOST_ACCESS if lost else None
                row.progress, row.eta_seconds = 0.0, None
            if current:
                run = dict(draft.generation)
                run.update(state=self.outcome, eta_seconds=0.0, finished_at=utcnow().isoformat())
                draft.generation = run
            bump(session, draft.id, *released)


def _same_text(new: str, current: str) -> bool:
    return " ".join(new.split()) == " ".join(current.split())


def _may_edit(session: Session, user: User, draft_id: str) -> bool:
    try:
        require_draft(session, user, draft_id, "edit")
    except PermissionDenied:
        return False
    return True


def _proposal(
    content: str,
    sources: list[dict[str, Any]],
    section: _Section,
    confidence: float | None,
    mode: str,
) -> dict[str, Any]:
    return {
        "content": content,
        "sources": sources,
        "confidence": confidence,
        "mode": mode,
        "instruction": section.brief.extra,
    }
