"""What the draft page shows of a section and of the draft's generation, built from the stored
rows (no Reflex here).

A section's answer is split into segments exactly as a chat answer is (state/chat/chat_view.py:
plain text and `[n]` badges that link to the viewer), so the page renders it with chat's
Markdown component. What moves while a job runs (a section's state, progress and ETA) is kept
apart from the section's text, so a progress tick re-sends a few bytes, not every answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lumikb_app.db.tables import Draft, DraftSection
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, SectionMode
from lumikb_app.state.chat.chat_view import Segment, SourceView, confidence, segments, source_views
from lumikb_app.state.documents.graph_stage import eta_label

STATUS_LABELS = {
    "empty": "Empty",
    "drafted": "Drafted",
    "edited": "Edited",
    "reviewed": "Reviewed",
}
WORKING = ("queued", "generating")
JOB_ACTIVE = ("queued", "running", "generating")


@dataclass
class SectionView:
    id: str = ""
    number: int = 0
    ref: str = ""
    group: str = ""
    title: str = ""
    segments: list[Segment] = field(default_factory=list)
    sources: list[SourceView] = field(default_factory=list)
    status: str = "empty"
    status_label: str = "Empty"
    mode: str = ""
    not_covered: bool = False
    confidence_level: str = ""  # high | medium | low | ""
    confidence_label: str = ""  # "High confidence · 82%"
    error: str = ""  # why its generation failed
    revision: int = 0
    has_proposal: bool = False
    proposal_segments: list[Segment] = field(default_factory=list)
    proposal_sources: list[SourceView] = field(default_factory=list)
    proposal_instruction: str = ""
    proposal_note: str = ""  # a regeneration that changed nothing says so instead
    proposal_not_covered: bool = False
    proposal_confidence_label: str = ""
    proposal_confidence_level: str = ""


@dataclass
class SectionProgress:
    state: str = "idle"  # idle | queued | generating | done | failed
    percent: int = 0
    label: str = ""  # "Writing · about 4 s left"


@dataclass(frozen=True)
class Overall:
    active: bool
    percent: int
    label: str  # "7 of 20 sections · about 40 s left"


def strip_note(content: str) -> str:
    """An extractive answer's note is said once for the whole draft, not under every answer."""
    text = content.strip()
    for edge in (text.startswith, text.endswith):
        if edge(EXTRACTIVE_NOTE):
            text = text.replace(EXTRACTIVE_NOTE, "", 1).strip()
    return text


def _status_label(status: str, not_covered: bool) -> str:
    if not_covered and status == "drafted":
        return "Not covered"
    return STATUS_LABELS.get(status, status.capitalize())


def _confidence(value: float | None, shown: bool) -> tuple[str, str]:
    percent, level = confidence(value if shown else None)
    return level, (f"{level.capitalize()} confidence · {percent}%" if level else "")


def _answer(content: str, sources: list[dict[str, Any]]) -> tuple[list[Segment], list[SourceView]]:
    text = strip_note(content)
    return segments(text, sources), source_views(sources, sources)


def section_view(section: DraftSection) -> SectionView:
    not_covered = section.mode == SectionMode.not_covered.value
    level, label = _confidence(section.confidence, bool(section.content) and not not_covered)
    shown_segments, sources = _answer(section.content, list(section.sources or []))
    view = SectionView(
        id=section.id,
        number=section.position + 1,
        ref=section.ref,
        group=section.group,
        title=section.title,
        segments=shown_segments,
        sources=sources,
        status=section.status,
        status_label=_status_label(section.status, not_covered),
        mode=section.mode,
        not_covered=not_covered,
        confidence_level=level,
        confidence_label=label,
        error=(section.generation_error or "") if section.generation_state == "failed" else "",
        revision=section.revision,
    )
    return _with_proposal(view, section.proposal or {})


def _with_proposal(view: SectionView, proposal: Mapping[str, Any]) -> SectionView:
    content = str(proposal.get("content") or "")
    if not content:
        view.proposal_note = str(proposal.get("note") or "")
        view.proposal_instruction = str(proposal.get("instruction") or "")
        return view
    not_covered = proposal.get("mode") == SectionMode.not_covered.value
    view.has_proposal = True
    view.proposal_segments, view.proposal_sources = _answer(
        content, list(proposal.get("sources") or [])
    )
    view.proposal_instruction = str(proposal.get("instruction") or "")
    view.proposal_not_covered = not_covered
    raw = proposal.get("confidence")
    value = float(raw) if isinstance(raw, int | float) else None
    view.proposal_confidence_level, view.proposal_confidence_label = _confidence(
        value, not not_covered
    )
    return view


def progress_of(section: DraftSection) -> SectionProgress:
    state = section.generation_state or "idle"
    percent = round(max(0.0, min(1.0, section.progress or 0.0)) * 100)
    if state == "queued":
        return SectionProgress(state, 0, "Waiting to be written")
    if state == "generating":
        eta = eta_label(section.eta_seconds)
        return SectionProgress(state, percent, "Writing" + (f" · {eta}" if eta else ""))
    if state == "failed":
        return SectionProgress(state, percent, "Could not be written")
    return SectionProgress(state, 100 if state == "done" else percent, "")


def overall(draft: Draft, progress: Mapping[str, SectionProgress]) -> Overall:
    """The draft's generation as one bar: finished sections plus the one being written."""
    job = draft.generation or {}
    state = str(job.get("state") or "")
    active = state in JOB_ACTIVE or any(p.state in WORKING for p in progress.values())
    total = _whole(job.get("total")) or sum(1 for p in progress.values() if p.state != "idle")
    if not active or total <= 0:
        return Overall(False, 0, "")
    done = min(_whole(job.get("done")), total)
    writing = sum(p.percent for p in progress.values() if p.state == "generating") / 100
    percent = round(min(1.0, (done + writing) / total) * 100)
    eta = eta_label(_seconds(job.get("eta_seconds")))
    label = f"{done} of {total} sections written" + (f" · {eta}" if eta else "")
    return Overall(True, percent, label)


def lock_holder(section: DraftSection, me: str, now: datetime | None = None) -> str:
    """The id of the other person holding the section's edit lock ("" when none or it lapsed)."""
    if not section.lock_user_id or section.lock_user_id == me or section.lock_expires_at is None:
        return ""
    expires = section.lock_expires_at
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    return section.lock_user_id if expires > (now or datetime.now(UTC)) else ""


def _whole(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
