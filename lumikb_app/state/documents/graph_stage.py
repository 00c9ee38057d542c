"""The graph stage line under a ready document: what it says, without Reflex."""

from __future__ import annotations

from dataclasses import dataclass

from lumikb_app.domain.graph import GraphStage
from lumikb_app.services.graph.status import DocumentGraphStage

MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class GraphLine:
    shown: bool = False
    state: str = ""
    percent: int = 0
    label: str = ""
    working: bool = False
    failed: bool = False


NO_LINE = GraphLine()


def eta_label(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def _passages(stage: DocumentGraphStage) -> str:
    if stage.chunks_total <= 0:
        return stage.detail or "reading passages"
    return f"{min(stage.chunks_done, stage.chunks_total)} of {stage.chunks_total} passages"


def _label(stage: DocumentGraphStage) -> str:
    if stage.state == GraphStage.queued:
        return "Knowledge graph: waiting to start"
    if stage.state == GraphStage.extracting:
        eta = eta_label(stage.eta_seconds)
        return "Knowledge graph: " + _passages(stage) + (f" · {eta}" if eta else "")
    if stage.state == GraphStage.failed:
        reason = (stage.error or "unknown error").strip()[:MAX_ERROR_CHARS]
        return f"Knowledge graph failed: {reason}"
    found = f" · {stage.detail}" if stage.detail else ""
    skipped = f" · {stage.chunks_failed} passages skipped" if stage.chunks_failed else ""
    return f"Knowledge graph: ready{found}{skipped}"


def graph_line(stage: DocumentGraphStage | None) -> GraphLine:
    """The line for a document's graph stage; NO_LINE when it has none (graph off, not ready)."""
    if stage is None:
        return NO_LINE
    done = stage.state == GraphStage.ready
    return GraphLine(
        shown=True,
        state=stage.state,
        percent=100 if done else round(max(0.0, min(1.0, stage.progress)) * 100),
        label=_label(stage),
        working=stage.working,
        failed=stage.state == GraphStage.failed,
    )
