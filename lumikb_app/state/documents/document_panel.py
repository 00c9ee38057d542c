"""What the documents page shows of one document's details and of a queued row, without Reflex."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lumikb_app.services.documents.details import DocumentDetails, HistoryEntry, VersionLine
from lumikb_app.state.documents.upload_protocol import human_size

DATE_FORMAT = "%b %d, %Y %H:%M"
STEP_WORDS = {"chunks": "read and split into passages", "index": "indexed for search"}


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def queue_label(place: int | None) -> str:
    """'next in line', '3rd in line'; '' when the place is not known."""
    if place is None or place < 1:
        return ""
    return "next in line" if place == 1 else f"{ordinal(place)} in line"


@dataclass
class VersionView:
    document_id: str
    version: str
    status: str
    uploaded: str  # "Dec 06, 2026 23:41 by Grace"
    size: str
    pages: str
    passages: str
    current: bool
    summary: str  # "ready · 17.3 KB · 4 pages · 18 passages"


@dataclass
class HistoryView:
    at: str
    version: str
    what: str
    kind: str


@dataclass
class DetailView:
    name: str = ""
    status: str = ""
    version: str = ""
    size: str = ""
    pages: str = ""
    passages: str = ""
    uploaded: str = ""
    attempts: str = ""
    steps: str = ""
    error: str = ""


def _when(at: datetime) -> str:
    return at.strftime(DATE_FORMAT)


def _count(number: int | None, noun: str) -> str:
    return "" if not number else f"{number} {noun}" + ("" if number == 1 else "s")


def _version_view(line: VersionLine) -> VersionView:
    by = f" by {line.uploaded_by}" if line.uploaded_by != "—" else ""
    parts = (line.status, human_size(line.size_bytes), _count(line.page_count, "page"))
    parts += (_count(line.chunk_count, "passage"),)
    return VersionView(
        document_id=line.document_id,
        version=f"v{line.version}",
        status=line.status,
        uploaded=_when(line.uploaded_at) + by,
        size=human_size(line.size_bytes),
        pages=str(line.page_count) if line.page_count else "—",
        passages=str(line.chunk_count) if line.chunk_count else "—",
        current=line.current,
        summary=" · ".join(part for part in parts if part),
    )


def _history_view(entry: HistoryEntry) -> HistoryView:
    version = f"v{entry.version}" if entry.version else ""
    return HistoryView(at=_when(entry.at), version=version, what=entry.what, kind=entry.kind)


def panel(details: DocumentDetails) -> tuple[DetailView, list[VersionView], list[HistoryView]]:
    shown = details.shown
    steps = ", ".join(STEP_WORDS.get(step, step) for step in details.steps_done)
    view = DetailView(
        name=details.name,
        status=shown.status,
        version=f"v{shown.version}",
        size=human_size(shown.size_bytes),
        pages=str(shown.page_count) if shown.page_count else "—",
        passages=str(shown.chunk_count) if shown.chunk_count else "—",
        uploaded=_version_view(shown).uploaded,
        attempts=str(shown.attempts),
        steps=steps or "none yet",
        error=details.error,
    )
    versions = [_version_view(line) for line in details.versions]
    return view, versions, [_history_view(entry) for entry in details.history]
