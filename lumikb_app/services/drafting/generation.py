"""Starting, stopping and reviewing generation: what a person asks for, checked and queued.

`start_generation` queues the sections to write as one RQ job on the "default" queue (workers.tasks.generate_draft, which
runs generation_job.run). By default ("Generate the rest") only the sections without text: never
written, or whose generation failed or was stopped before it finished (those keep or get back
the text they had, which is then empty), and that nobody is editing; text already drafted is
never rewritten that way: `regenerate_section` proposes a new version beside it instead.
Chosen sections may be drafted ones (written again in place) but never a person's edited or
reviewed text. `regenerate_section` writes one section again with an extra
instruction: when the section has text, the new answer waits in `proposal` until the person
accepts or rejects it, side by side with the text it would replace; when it is the same text,
`proposal` holds only {"unchanged": True, "note": "No change: ...", "instruction"} (nothing to
accept; reject_proposal dismisses the note).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.common import new_id, utcnow
from lumikb_app.db.tables import Draft, DraftSection, User
from lumikb_app.domain.drafting import (
    MAX_INSTRUCTION,
    MAX_SECTIONS,
    DraftInputError,
    GenerationState,
    SectionStatus,
)
from lumikb_app.domain.text import text_problem
from lumikb_app.services.accounts import audit
from lumikb_app.services.drafting.draft_access import bump, require_draft, require_section
from lumikb_app.services.drafting.section_locks import hold_draft as _hold
from lumikb_app.services.drafting.section_locks import lock_holder
from lumikb_app.services.drafting.versions import record_version
from lumikb_app.services.platform.transactions import transaction

GENERATE_JOB = "workers.tasks.generate_draft"
RUNNING = "This draft is being written already; wait until it is done or stop it first."
NOTHING_TO_WRITE = (
    "Every section has text already or is being edited, so there is nothing left to draft. "
    "Regenerate a section to write it again."
)
KEEP_PEOPLES_TEXT = (
    "A person has edited or reviewed some of those sections: regenerate one of them to "
    "compare the new version with its text before replacing it."
)
NO_PROPOSAL = "There is no regenerated version of this section to accept or reject."
QUEUE_FAILED = "Drafting could not be queued. Try again in a moment."
_BUSY = (GenerationState.queued.value, GenerationState.generating.value)
_EMPTY = SectionStatus.empty.value
_WRITABLE = (_EMPTY, SectionStatus.drafted.value)


def start_generation(
    user: User, draft_id: str, section_ids: Sequence[str] | None = None, ip: str | None = None
) -> str:
    """Queue the sections for writing (None: every section without text that nobody is
    editing) and return the job's id. Needs edit access."""
    with transaction() as session:
        draft = _idle_draft(session, user, draft_id)
        sections = _chosen(session, draft.id, section_ids)
        job_id = _queue(session, user, draft, sections, "draft.generate", ip)
    _enqueue(job_id, draft_id, [s.id for s in sections], user.id, None)
    return job_id


def regenerate_section(
    user: User, section_id: str, instruction: str = "", ip: str | None = None
) -> str:
    """Write one section again, following `instruction` too. A section with text gets the
    new answer as a proposal to accept or reject; an empty one gets it in place."""
    instruction = _clean_instruction(instruction)
    with transaction() as session:
        draft_id = _draft_of(session, user, section_id)
        draft = _idle_draft(session, user, draft_id)
        section = require_section(session, user, section_id, "edit")[1]
        if not section.content.strip():
            _refuse_if_edited(session, section, user)
        job_id = _queue(session, user, draft, [section], "draft.generate", ip, instruction)
    _enqueue(job_id, draft.id, [section_id], user.id, instruction)
    return job_id


def accept_proposal(user: User, section_id: str) -> DraftSection:
    """The regenerated answer replaces the section's text (a version "accepted")."""
    with transaction() as session:
        draft_id = _draft_of(session, user, section_id)
        _hold(session, draft_id)
        section = require_section(session, user, section_id, "edit")[1]
        proposal = section.proposal
        if not proposal.get("content") or section.generation_state in _BUSY:
            raise DraftInputError(NO_PROPOSAL)
        _refuse_if_edited(session, section, user)
        section.content, section.sources = proposal["content"], proposal["sources"]
        section.mode, section.confidence = proposal["mode"], proposal["confidence"]
        section.status, section.proposal = SectionStatus.drafted.value, {}
        section.updated_by = user.id
        bump(session, draft_id, section)
        record_version(session, section, "accepted", user.id)
        return section


def reject_proposal(user: User, section_id: str) -> DraftSection:
    with transaction() as session:
        draft_id = _draft_of(session, user, section_id)
        _hold(session, draft_id)
        section = require_section(session, user, section_id, "edit")[1]
        if not section.proposal or section.generation_state in _BUSY:
            raise DraftInputError(NO_PROPOSAL)
        section.proposal = {}
        bump(session, draft_id, section)
        return section


def cancel_generation(user: User, draft_id: str) -> int:
    """Stop the draft's generation: queued sections go back to idle, the one being written
    gets its previous text back (the job sees it at its next write). Returns how many."""
    with transaction() as session:
        draft = require_draft(session, user, draft_id, "edit").draft
        _hold(session, draft.id)
        busy = _sections(session, draft.id, col(DraftSection.generation_state).in_(_BUSY))
        for section in busy:
            section.generation_state, section.progress, section.eta_seconds = "idle", 0.0, None
        if draft.generation.get("state") in (*_BUSY, None):
            draft.generation = {**draft.generation, "state": "cancelled", "eta_seconds": 0.0}
        bump(session, draft.id, *busy)
        return len(busy)


def _idle_draft(session: Session, user: User, draft_id: str) -> Draft:
    draft = require_draft(session, user, draft_id, "edit").draft
    _hold(session, draft.id)
    if _sections(session, draft.id, col(DraftSection.generation_state).in_(_BUSY)):
        raise DraftInputError(RUNNING)
    return draft


def _chosen(
    session: Session, draft_id: str, section_ids: Sequence[str] | None
) -> list[DraftSection]:
    if section_ids is None:
        candidates = _sections(session, draft_id, col(DraftSection.status) == _EMPTY)
        chosen = [
            s for s in candidates if not s.content.strip() and lock_holder(session, s) is None
        ]
        if not chosen:
            raise DraftInputError(NOTHING_TO_WRITE)
        return chosen
    if isinstance(section_ids, str) or not 0 < len(section_ids) <= MAX_SECTIONS:
        raise DraftInputError(f"Choose between 1 and {MAX_SECTIONS} sections to draft.")
    wanted = list(dict.fromkeys(section_ids))
    if not all(isinstance(i, str) for i in wanted):
        raise DraftInputError("Sections are chosen by their ids.")
    found = _sections(session, draft_id, col(DraftSection.id).in_(wanted))
    if len(found) != len(wanted):
        raise DraftInputError("Some of those sections are not in this draft.")
    if any(lock_holder(session, s) is not None for s in found):
        raise DraftInputError("Someone is editing one of those sections; wait until they save.")
    if any(s.status not in _WRITABLE and s.content.strip() for s in found):
        raise DraftInputError(KEEP_PEOPLES_TEXT)
    return found


def _queue(
    session: Session,
    user: User,
    draft: Draft,
    sections: list[DraftSection],
    action: str,
    ip: str | None,
    instruction: str | None = None,
) -> str:
    job_id = f"draft-{draft.id}-{new_id()[:8]}"
    for section in sections:
        section.generation_state, section.progress = GenerationState.queued.value, 0.0
        section.eta_seconds, section.generation_error = None, None
    draft.generation = {
        "job_id": job_id,
        "state": GenerationState.queued.value,
        "total": len(sections),
        "done": 0,
        "started_at": utcnow().isoformat(),
        "eta_seconds": None,
        "requested_by": user.id,
    }
    bump(session, draft.id, *sections)
    details = {"sections": len(sections), "job_id": job_id}
    if instruction is not None:
        details["instruction"] = instruction
    audit.record(session, action, actor=user, ip=ip, target=draft.id, details=details)
    return job_id


def _enqueue(
    job_id: str, draft_id: str, section_ids: list[str], user_id: str, instruction: str | None
) -> None:
    """Queue the job after the commit (no queue call inside a transaction); if queueing
    fails, the sections say so instead of waiting forever."""
    try:
        get_container().jobs.enqueue(
            GENERATE_JOB, draft_id, section_ids, user_id, instruction,
            queue="default", job_id=job_id, retries=0,
        )  # fmt: skip
    except Exception:
        with transaction() as session:
            _hold(session, draft_id)
            failed = _sections(session, draft_id, col(DraftSection.id).in_(section_ids))
            for section in failed:
                section.generation_state = GenerationState.failed.value
                section.generation_error = QUEUE_FAILED
            draft = session.get_one(Draft, draft_id)
            draft.generation = {**draft.generation, "state": GenerationState.failed.value}
            bump(session, draft_id, *failed)
        raise


def _clean_instruction(instruction: object) -> str:
    if not isinstance(instruction, str):
        raise DraftInputError("An instruction must be text.")
    instruction = instruction.strip()
    if len(instruction) > MAX_INSTRUCTION:
        raise DraftInputError(f"An instruction must be at most {MAX_INSTRUCTION} characters.")
    if instruction and (problem := text_problem(instruction)):
        raise DraftInputError(problem)
    return instruction


def _draft_of(session: Session, user: User, section_id: str) -> str:
    """The section's draft id, once the caller may edit it (same refusal as a missing one)."""
    return require_section(session, user, section_id, "edit")[0].draft.id


def _refuse_if_edited(session: Session, section: DraftSection, user: User) -> None:
    holder = lock_holder(session, section, excluding=user.id)
    if holder is not None:
        raise DraftInputError(f"{holder.display_name} is editing this section.")


def _sections(session: Session, draft_id: str, where: ColumnElement[bool]) -> list[DraftSection]:
    query = (
        select(DraftSection)
        .where(DraftSection.draft_id == draft_id, where)
        .order_by(col(DraftSection.position))
    )
    return list(session.exec(query))
