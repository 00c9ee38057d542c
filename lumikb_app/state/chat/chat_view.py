"""What the chat page shows, built from stored messages and streamed events (no Reflex here).

An answer's text is split into segments: plain text, and `[n]` markers that map to a citation
(rendered as a badge linking to the viewer, with a hover preview). A marker with no citation
behind it stays plain text, so nothing links to a passage the answer was not given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lumikb_app.db.tables import ChatMessage, Conversation
from lumikb_app.domain.chat import CITATION_MARKER
from lumikb_app.domain.retrieval import page_label, relevance_percent
from lumikb_app.services.chat.extractive import NO_MODEL_NOTE

PASSAGE_PREVIEW_CHARS = 360
HIGH_CONFIDENCE = 0.7
MEDIUM_CONFIDENCE = 0.4


@dataclass
class Segment:
    text: str
    n: int = 0  # 0: plain text; otherwise the citation number
    href: str = ""
    document_name: str = ""
    where: str = ""  # "KB name · Page 2"
    passage: str = ""


@dataclass
class SourceView:
    n: int
    document_name: str
    kb_name: str
    score_label: str
    where: str  # "KB name · Page 2"
    href: str
    passage: str
    cited: bool


@dataclass
class MessageView:
    id: str
    role: str  # "user" | "assistant"
    content: str
    segments: list[Segment] = field(default_factory=list)
    cited_sources: list[SourceView] = field(default_factory=list)
    other_sources: list[SourceView] = field(default_factory=list)  # retrieved, not cited
    mode: str = ""  # "llm" | "extractive" | "no_answer"
    note: str = ""  # extractive mode: how to configure a language model, shown apart
    status: str = "done"  # "done" | "stopped" | "error" | "streaming"
    confidence_percent: int = 0
    confidence_level: str = ""  # "high" | "medium" | "low"; "" when unknown
    confidence_label: str = ""  # "High confidence · 82%"
    rating: int = 0  # +1 / -1; 0 when not rated
    feedback: str = ""
    is_last: bool = False  # the last assistant answer (it can be regenerated)


@dataclass
class ConversationMatchView:
    id: str
    title: str
    snippet: str
    updated_label: str


@dataclass
class ConversationView:
    id: str
    title: str
    updated_label: str
    kb_ids: list[str]  # empty: every knowledge base the user may read
    scoped: bool


def _where(citation: Mapping[str, Any]) -> str:
    page = citation.get("page")
    page_start = page if isinstance(page, int) and page > 0 else None
    parts = [str(citation.get("kb_name") or ""), page_label(page_start)]
    if citation.get("via"):
        parts.append(f"via the graph: {str(citation['via'])[:120]}")
    return " · ".join(part for part in parts if part)


def _preview(text: str) -> str:
    text = " ".join(str(text or "").split())
    if len(text) <= PASSAGE_PREVIEW_CHARS:
        return text
    return text[:PASSAGE_PREVIEW_CHARS].rsplit(" ", 1)[0] + "…"


def citation_segment(citation: Mapping[str, Any]) -> Segment:
    return Segment(
        text=str(citation.get("n", "")),
        n=int(citation.get("n") or 0),
        href=str(citation.get("href") or ""),
        document_name=str(citation.get("document_name") or "Document"),
        where=_where(citation),
        passage=_preview(citation.get("text") or ""),
    )


def _numbered(items: Sequence[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    numbered: dict[int, Mapping[str, Any]] = {}
    for item in items:
        n = item.get("n")
        if isinstance(n, int) and n > 0:
            numbered.setdefault(n, item)
    return numbered


def _plain(segments: list[Segment], text: str) -> None:
    if not text:
        return
    if segments and segments[-1].n == 0:
        segments[-1] = Segment(text=segments[-1].text + text)
    else:
        segments.append(Segment(text=text))


def segments(text: str, citations: Sequence[Mapping[str, Any]]) -> list[Segment]:
    """Plain text and citation badges, in the order they appear."""
    by_n = _numbered(citations)
    result: list[Segment] = []
    position = 0
    for match in CITATION_MARKER.finditer(text):
        numbers = [int(part) for part in re.split(r"[,;]", match.group(1))]
        known = [n for n in numbers if n in by_n]
        if not known:
            continue
        _plain(result, text[position : match.start()])
        result.extend(citation_segment(by_n[n]) for n in known)
        position = match.end()
    _plain(result, text[position:])
    return result


def source_views(
    sources: Sequence[Mapping[str, Any]], citations: Sequence[Mapping[str, Any]]
) -> list[SourceView]:
    """The numbered sources an answer was given; `cited` marks those its markers point to."""
    cited = set(_numbered(citations))
    listed = sources or citations
    views = [
        SourceView(
            n=n,
            document_name=str(item.get("document_name") or "Document"),
            kb_name=str(item.get("kb_name") or ""),
            score_label=_score_label(item),
            where=_where(item),
            href=str(item.get("href") or ""),
            passage=_preview(item.get("text") or ""),
            cited=n in cited,
        )
        for n, item in _numbered(listed).items()
    ]
    return sorted(views, key=lambda view: view.n)


def _score_label(source: Mapping[str, Any]) -> str:
    """The calibrated relevance, as search shows it; answers stored before relevance existed
    keep their list-relative score."""
    if isinstance(source.get("relevance"), int | float):
        return f"relevance {relevance_percent(float(source['relevance']))}%"
    return f"score {float(source.get('score') or 0.0):.2f}"


def confidence(value: float | None) -> tuple[int, str]:
    """(percent, level) for the indicator; (0, "") when the answer has none."""
    if value is None:
        return 0, ""
    value = max(0.0, min(1.0, float(value)))
    if value >= HIGH_CONFIDENCE:
        level = "high"
    elif value >= MEDIUM_CONFIDENCE:
        level = "medium"
    else:
        level = "low"
    return round(value * 100), level


# Everyone reads that no model is configured; only an admin can act on how to configure one.
SHORT_NOTE = NO_MODEL_NOTE.split(". ", 1)[0] + "."


def split_note(content: str, mode: str) -> tuple[str, str]:
    """(answer, note): extractive answers end with the no-model note, shown as a callout."""
    if mode == "extractive" and content.rstrip().endswith(NO_MODEL_NOTE):
        return content.rstrip()[: -len(NO_MODEL_NOTE)].rstrip(), NO_MODEL_NOTE
    return content, ""


def message_view(message: ChatMessage) -> MessageView:
    if message.role != "assistant":
        return MessageView(
            id=message.id,
            role=message.role,
            content=message.content,
            segments=[Segment(text=message.content)],
        )
    shows_confidence = message.mode != "no_answer" and message.status == "done"
    percent, level = confidence(message.confidence if shows_confidence else None)
    body, note = split_note(message.content, message.mode or "")
    sources = source_views(message.sources or [], message.citations or [])
    return MessageView(
        id=message.id,
        role="assistant",
        content=body,
        note=note,
        segments=segments(body, message.citations or []),
        cited_sources=[source for source in sources if source.cited],
        other_sources=[source for source in sources if not source.cited],
        mode=message.mode or "",
        status=message.status or "done",
        confidence_percent=percent,
        confidence_level=level,
        confidence_label=f"{level.capitalize()} confidence · {percent}%" if level else "",
        rating=message.rating or 0,
        feedback=message.feedback or "",
    )


def mark_last_answer(views: list[MessageView]) -> list[MessageView]:
    for view in views:
        view.is_last = False
    if views and views[-1].role == "assistant":
        views[-1].is_last = True
    return views


def message_views(messages: Sequence[ChatMessage], *, full_note: bool = False) -> list[MessageView]:
    """The turns as shown; the no-model note once, on the first answer that has it, whole for an
    admin (who can configure a model) and its first sentence for everyone else."""
    views = [message_view(message) for message in messages]
    noted = False
    for shown in views:
        if shown.note:
            shown.note = "" if noted else (shown.note if full_note else SHORT_NOTE)
            noted = True
    return mark_last_answer(views)


def before_message(views: list[MessageView], message_id: str) -> list[MessageView]:
    """The turns before `message_id` (all of them when it is not shown)."""
    index = next((i for i, v in enumerate(views) if v.id == message_id), len(views))
    return views[:index]


def toggled_scope(current: list[str], kb_id: str, checked: bool, known: list[str]) -> list[str]:
    """The scope after ticking or unticking `kb_id` ("all": every KB, the empty scope); ids of
    KBs this page does not list are ignored."""
    if kb_id == "all" or kb_id not in known:
        return [] if kb_id == "all" and checked else list(current)
    kept = [k for k in dict.fromkeys(current) if k != kb_id and k in known]
    return [*kept, kb_id] if checked else kept


def match_view(match: Any) -> ConversationMatchView:
    return ConversationMatchView(
        id=match.conversation.id,
        title=match.conversation.title or "New conversation",
        snippet=match.snippet,
        updated_label=updated_label(match.conversation.updated_at),
    )


def user_message(question: str) -> MessageView:
    """The question as shown at once, before the service has stored it."""
    return MessageView(id="", role="user", content=question, segments=[Segment(text=question)])


def updated_label(when: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when.date() == now.date():
        return when.strftime("Today %H:%M")
    if when.date() == (now - timedelta(days=1)).date():
        return "Yesterday"
    if when.year == now.year:
        return when.strftime("%b %d")
    return when.strftime("%b %d, %Y")


def conversation_view(conversation: Conversation, now: datetime | None = None) -> ConversationView:
    return ConversationView(
        id=conversation.id,
        title=conversation.title or "New conversation",
        updated_label=updated_label(conversation.updated_at, now),
        kb_ids=list(conversation.kb_ids or []),
        scoped=bool(conversation.kb_ids),
    )
