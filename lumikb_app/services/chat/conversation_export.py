"""A conversation as a Markdown file: each question and answer, with the sources the answer
cites listed under it (document, where, a link to the passage and the quoted text)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ChatMessage, User
from lumikb_app.domain.chat import CITATION_MARKER
from lumikb_app.domain.retrieval import page_label
from lumikb_app.services.chat.conversations import messages_of, owned
from lumikb_app.services.chat.extractive import NO_MODEL_NOTE
from lumikb_app.services.platform.transactions import read_session

QUOTE_CHARS = 600
FILENAME_CHARS = 60


@dataclass(frozen=True)
class ConversationExport:
    filename: str  # "release-builds.md"
    markdown: str


def export_markdown(user: User, conversation_id: str, base_url: str = "") -> ConversationExport:
    """The user's conversation as Markdown; `base_url` (e.g. "https://kb.example.com") makes the
    passage links absolute."""
    with read_session() as session:
        conversation = owned(session, user, conversation_id)
        messages = messages_of(session, conversation.id)
        title = conversation.title
    lines = [f"# {_inline(title)}", "", f"_Exported from LumiKB on {utcnow():%Y-%m-%d %H:%M} UTC_"]
    for message in messages:
        lines += ["", *_turn(message, base_url.rstrip("/"))]
    return ConversationExport(_filename(title), "\n".join(lines).rstrip() + "\n")


def _turn(message: ChatMessage, base_url: str) -> list[str]:
    if message.role == "user":
        return ["## Question", "", message.content.strip()]
    body = message.content.replace(NO_MODEL_NOTE, "").strip()
    lines = ["### Answer", "", body or "_(no answer)_"]
    if message.status == "error":
        lines += ["", "_This answer could not be finished._"]
    cited = _cited(message)
    if cited:
        lines += ["", "**Sources**", ""]
        lines += [line for citation in cited for line in _source(citation, base_url)]
    return lines


def _cited(message: ChatMessage) -> list[Mapping[str, Any]]:
    """The citations the answer's `[n]` markers point to, once each, by number."""
    shown = {
        int(n)
        for group in CITATION_MARKER.findall(message.content)
        for n in re.split(r"[,;]", group)
    }
    by_n: dict[int, Mapping[str, Any]] = {}
    for citation in message.citations or []:
        n = citation.get("n")
        if isinstance(n, int) and n in shown:
            by_n.setdefault(n, citation)
    return [by_n[n] for n in sorted(by_n)]


def _source(citation: Mapping[str, Any], base_url: str) -> list[str]:
    page = citation.get("page")
    where = " · ".join(
        part
        for part in (
            str(citation.get("kb_name") or ""),
            page_label(page if isinstance(page, int) and page > 0 else None),
        )
        if part
    )
    name = _inline(str(citation.get("document_name") or "Document"))
    href = str(citation.get("href") or "")
    head = f"[{name}](<{base_url}{href}>)" if href else name
    line = f"- [{citation['n']}] {head}" + (f" — {where}" if where else "")
    quote = " ".join(str(citation.get("text") or "").split())
    if len(quote) > QUOTE_CHARS:
        quote = quote[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    return [line, f"  > {quote}"] if quote else [line]


def _inline(text: str) -> str:
    """One line of text that Markdown shows as written."""
    flat = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", flat)


def _filename(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:FILENAME_CHARS].strip("-")
    return f"{slug or 'conversation'}.md"
