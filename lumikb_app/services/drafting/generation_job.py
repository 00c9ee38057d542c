"""The drafting job: write a draft's queued sections one after another, for the user who asked.

The requesting user's access is checked again before each section (a member who can no longer
edit the draft, or read one of its KBs, generates nothing more), and searches act as that
user. Each section streams its text into `content` (or, regenerating a section that has text,
into `proposal`), written at most every WRITE_EVERY seconds with a revision bump each time, so
open pages follow it live, with its progress and ETA, and the draft's totals and ETA. A
section that fails says why and keeps the text it had; the next ones continue. Cancelling (see
generation.cancel_generation) takes the sections out of "generating"; the job sees it at its
next write, puts the section's text back and stops.
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
from lumikb_app.domain.drafting import GenerationState, SectionStatus
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
FAILED = "Writing this section failed. Try again in a moment."
LOST_ACCESS = (
    "Not written: the person who started drafting can no longer edit this draft or read every "
    "knowledge base it draws from."
)
Q, G = GenerationState.queued.value, GenerationState.generating.value


@dataclass
class _Section:
    """What the job needs of a section it is writing, and what to put back if it stops."""

    id: str
    brief: SectionBrief
    proposal: bool  # regenerating a section with text: the answer waits for accept/reject
    before: dict[str, Any]
    started: float = field(default_factory=time.monotonic)
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
    durations: list[float] = field(default_factory=list)
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
            row.eta_seconds = self._section_eta()
            self._totals(draft, eta=self._draft_eta(0.0))
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
        eta = round(elapsed / progress * (1 - progress), 1)
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
            self._totals(draft, eta=self._draft_eta(eta))
            bump(session, draft.id, row)
        return True

    def _finish(self, section: _Section, answer: SectionAnswer) -> bool:
        elapsed = time.monotonic() - section.started
        with transaction() as session:
            row, draft = self._rows(session, section.id)
            if row is None or draft is None:
                return False
            if section.proposal:
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
            self._totals(draft, done=1, eta=self._draft_eta(0.0))
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

    def _section_eta(self) -> float | None:
        if not self.durations:
            return None
        return round(sum(self.durations) / len(self.durations), 1)

    def _draft_eta(self, current: float) -> float | None:
        """The current section's remaining time plus the average section time for the rest."""
        per_section = self._section_eta()
        if per_section is None:
            return None
        left = len(self.section_ids) - len(self.durations) - 1
        return round(current + per_section * max(0, left), 1)

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
