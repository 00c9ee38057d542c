"""The knowledge graph section of KB settings as text: the status card and the LLM estimate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lumikb_app.services.graph.status import GraphKbStatus
from lumikb_app.state.time_words import plural, utc, within_a_day

if TYPE_CHECKING:
    from lumikb_app.services.graph.llm_estimate import Estimate

MAX_ERROR_CHARS = 200


@dataclass
class GraphCard:
    entities: str = "0"
    relations: str = "0"
    communities: str = "0"
    documents: str = "0 of 0"
    extracting: str = ""  # "2 documents extracting · 40%"; "" when none
    last_extraction: str = "never"
    failed_chunks: str = "0"
    tokens: str = ""  # LLM tokens spent; "" when none were
    failed: list[str] = field(default_factory=list)  # "name: reason" of failed documents
    more_failed: str = ""  # "and 3 more" beyond the named ones
    working: bool = False


@dataclass
class EstimateCard:
    chunks: str = ""
    calls: str = ""
    tokens: str = ""
    time: str = ""
    cost: str = ""


def count(value: int) -> str:
    return f"{value:,}"


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words (a time without a zone is UTC)."""
    if moment is None:
        return "never"
    moment = utc(moment)
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    return within_a_day(seconds) or moment.astimezone(UTC).strftime("%b %d, %Y %H:%M UTC")


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 5400:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


def graph_card(status: GraphKbStatus, now: datetime | None = None) -> GraphCard:
    extracting = ""
    if status.documents_extracting:
        percent = round(status.extracting_progress * 100)
        extracting = f"{plural(status.documents_extracting, 'document')} extracting · {percent}%"
    named = [f"{f.name}: {(f.error or 'unknown error')[:MAX_ERROR_CHARS]}" for f in status.failed]
    hidden = status.documents_failed - len(named)
    return GraphCard(
        entities=count(status.entities),
        relations=count(status.relations),
        communities=count(status.communities),
        documents=f"{count(status.documents_done)} of {count(status.documents_ready)}",
        extracting=extracting,
        last_extraction=(
            "in progress"
            if status.last_extracted_at is None and status.documents_extracting
            else when(status.last_extracted_at, now)
        ),
        failed_chunks=count(status.chunks_failed),
        tokens=count(status.tokens) if status.tokens else "",
        failed=named,
        more_failed=f"and {count(hidden)} more" if hidden > 0 else "",
        working=status.documents_extracting > 0,
    )


def _price(usd: float | None) -> str:
    if usd is None:
        return "price unknown"
    if usd == 0:
        return "free"
    return "less than $0.01" if usd < 0.01 else f"about ${usd:,.2f}"


def estimate_card(estimate: Estimate) -> EstimateCard:
    cost = _price(estimate.cost_usd)
    return EstimateCard(
        chunks=plural(estimate.chunks, "passage"),
        calls=plural(estimate.calls, "model call"),
        tokens=(
            f"about {count(estimate.tokens)} tokens ({count(estimate.input_tokens)} in, "
            f"{count(estimate.output_tokens)} out)"
        ),
        time=duration(estimate.seconds),
        cost=cost,
    )
