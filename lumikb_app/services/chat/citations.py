"""Citation markers in a streamed answer: keep those that name a source, drop the rest.

The model sees sources numbered [1..n]. As its text streams, `CitationStream` holds back just
enough text to see a whole marker (`[3]`, `[1, 2]`, `[1][2]`), removes any number that is not a
source, and renumbers the kept ones by first use, so the reader always meets [1] first. Every
kept marker is written as `[n]` (a list becomes `[1][2]`). `ordered_sources` then numbers the
source list the same way: cited sources first, in the order they were first cited.
Text inside a fenced code block (```) is code, not citations: `a[1]` there is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from lumikb_app.domain.retrieval import Passage

# Whitespace before a marker goes with it, so "word [9]." becomes "word." when [9] is dropped.
_MARKER = re.compile(r"\s*\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")
_PARTIAL = re.compile(r"\[[\d,\s]*$")
_MAX_MARKER_CHARS = 24
_FENCE = re.compile(r"`{3,}")
_PARTIAL_FENCE = re.compile(r"`{1,}$")


class CitationStream:
    """Feed model text in, get user-safe text out plus the sources cited for the first time."""

    def __init__(self, valid: Collection[int]) -> None:
        self.valid = set(valid)
        self.order: list[int] = []  # source numbers in first-use order
        self._pending = ""
        self._fence = ""  # the fence that opened the code block the text is in ("" outside)

    def feed(self, text: str) -> tuple[str, list[int]]:
        """Returns (text ready to show, source numbers first cited in it)."""
        self._pending += text
        cut = _hold_point(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._rewrite(ready)

    def flush(self) -> tuple[str, list[int]]:
        """The end of the stream: release what is held; an unfinished marker is dropped."""
        rest, self._pending = self._pending, ""
        partial = _PARTIAL.search(rest)
        if partial:
            rest = rest[: partial.start()].rstrip()
        return self._rewrite(rest)

    def display_number(self, source_number: int) -> int:
        return self.order.index(source_number) + 1

    def _rewrite(self, text: str) -> tuple[str, list[int]]:
        """Rewrite the markers of the text outside fenced code blocks."""
        out: list[str] = []
        first_cited: list[int] = []
        at = 0
        for fence in _FENCE.finditer(text):
            out.append(self._part(text[at : fence.start()], first_cited))
            out.append(fence.group(0))
            at = fence.end()
            if not self._fence:
                self._fence = fence.group(0)
            elif len(fence.group(0)) >= len(self._fence):
                self._fence = ""
        out.append(self._part(text[at:], first_cited))
        return "".join(out), first_cited

    def _part(self, text: str, first_cited: list[int]) -> str:
        if self._fence:
            return text

        def replace(match: re.Match[str]) -> str:
            kept: list[int] = []
            for number in (int(x) for x in re.findall(r"\d+", match.group(1))):
                if number in self.valid and number not in kept:
                    kept.append(number)
            if not kept:
                return ""
            for number in kept:
                if number not in self.order:
                    self.order.append(number)
                    first_cited.append(number)
            lead = match.group(0)[: match.group(0).index("[")]
            return lead + "".join(f"[{self.display_number(n)}]" for n in kept)

        return _MARKER.sub(replace, text)


def _hold_point(buffer: str) -> int:
    """Where to stop emitting: before a marker that may still be completing, and before trailing
    whitespace (it belongs to the next marker if that marker turns out to be dropped)."""
    cut = len(buffer)
    partial = _PARTIAL.search(buffer)
    if partial and len(buffer) - partial.start() <= _MAX_MARKER_CHARS:
        cut = partial.start()
    ticks = _PARTIAL_FENCE.search(buffer[:cut])
    if ticks:  # maybe the start of a fence: its length decides where a code block ends
        cut = ticks.start()
    while cut > 0 and buffer[cut - 1].isspace():
        cut -= 1
    return cut


def verify_text(text: str, valid: Collection[int]) -> tuple[str, list[int]]:
    """The whole-text form of `CitationStream`: (clean text, cited source numbers in order)."""
    stream = CitationStream(valid)
    head, _ = stream.feed(text)
    tail, _ = stream.flush()
    return head + tail, list(stream.order)


def ordered_sources(
    sources: Sequence[dict[str, Any]], cited: Sequence[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Renumber `sources` (numbered 1..n as the model saw them) to match the displayed markers.

    Returns (every source, cited first then the rest, each with its displayed `n`; the citations,
    i.e. the cited sources only)."""
    by_number = {source["n"]: source for source in sources}
    order = [n for n in cited if n in by_number]
    order += [source["n"] for source in sources if source["n"] not in order]
    renumbered = [{**by_number[n], "n": i} for i, n in enumerate(order, start=1)]
    return renumbered, renumbered[: len([n for n in cited if n in by_number])]


PREVIEW_CHARS = 800


def source_from_passage(number: int, passage: Passage) -> dict[str, Any]:
    """The citation/source dict of the contract (COMMON.md), for the UI and the API."""
    page = passage.page
    text = passage.text
    if len(text) > PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - 1].rstrip() + "…"
    return {
        "n": number,
        "chunk_id": passage.chunk_id,
        "document_id": passage.document_id,
        "version": passage.version,
        "document_name": passage.document_name,
        "kb_id": passage.kb_id,
        "kb_name": passage.kb_name,
        "page": page,
        "text": text,
        "score": float(passage.score),
        "relevance": float(passage.relevance),
        "href": passage.viewer_href,
        **({"via": passage.via} if passage.via else {}),
    }
