"""A parsed document as formatted HTML for the viewer, with the cited passage marked.

The HTML is built from the parsed blocks (the ones ingest chunked), not from the original's
markup: each block's kind gives its element (heading, paragraph, list, table, code) and every
character of text is escaped, so nothing an uploaded file contains can become markup, script,
an event handler or a link. Because the blocks are the text the chunks index, a passage's
[start, end) range marks exactly its characters: the blocks it touches are wrapped in one
container (``highlighted-passage``) and the passage's own text inside them in ``<mark>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from lumikb_app.domain.documents import BlockSpan

PASSAGE_ID = "cited-passage"
_CONTAINER = f'<div class="cited" id="{PASSAGE_ID}" data-testid="highlighted-passage">'
_ITEM = re.compile(r"( *)((?:[-*+•]|\d{1,9}[.)]) )?")
_CELL_SEPARATOR = " | "


@dataclass(frozen=True)
class Range:
    """The passage's [start, end) in the document's full text (empty: nothing to mark)."""

    start: int
    end: int

    def marked(self, text: str, offset: int) -> str:
        """``text`` (found at ``offset``) escaped, its part inside the range in <mark>."""
        low = min(max(self.start - offset, 0), len(text))
        high = min(max(self.end - offset, 0), len(text))
        if low >= high:
            return escape(text)
        inside = escape(text[low:high])
        return f"{escape(text[:low])}<mark>{inside}</mark>{escape(text[high:])}"

    def touches(self, span: BlockSpan) -> bool:
        return self.start < self.end and self.start < span.char_end and span.char_start < self.end


def render(spans: Sequence[BlockSpan], passage: Range) -> str:
    """The blocks as HTML; those the passage touches inside the passage container."""
    parts: list[str] = []
    opened = closed = False
    for span in spans:
        if not opened and passage.touches(span):
            parts.append(_CONTAINER)
            opened = True
        elif opened and not closed and not passage.touches(span):
            parts.append("</div>")
            closed = True
        parts.append(_block(span, passage))
    if opened and not closed:
        parts.append("</div>")
    return "\n".join(parts)  # whitespace between blocks keeps their texts apart in textContent


def _block(span: BlockSpan, passage: Range) -> str:
    block, offset = span.block, span.char_start
    if block.kind == "heading":
        level = min(max(len(block.heading_path), 1), 5) + 1  # the page's own title is the h1
        return f"<h{level}>{passage.marked(block.text, offset)}</h{level}>"
    if block.kind == "code":
        return f"<pre><code>{passage.marked(block.text, offset)}</code></pre>"
    if block.kind == "list":
        return _list(block.text, offset, passage)
    if block.kind == "table":
        return _table(block.text, offset, passage)
    return f"<p>{passage.marked(block.text, offset)}</p>"


@dataclass
class _Item:
    depth: int
    ordered: bool
    html: str


def _lines(text: str, offset: int) -> list[tuple[str, int]]:
    """Each line of ``text`` with its offset in the full text."""
    lines, position = [], offset
    for line in text.split("\n"):
        lines.append((line, position))
        position += len(line) + 1
    return lines


def _list(text: str, offset: int, passage: Range) -> str:
    """The parsers' list text ("- item", "1. item", two spaces a level, continuation lines
    indented without a marker) as nested <ul>/<ol>."""
    items: list[_Item] = []
    for line, at in _lines(text, offset):
        match = _ITEM.match(line)
        assert match is not None  # the pattern matches every string
        content = passage.marked(line[match.end() :], at + match.end())
        marker = match.group(2)
        if items and (marker is None or not line.strip()):
            items[-1].html += "<br>" + content
            continue
        ordered = bool(marker and marker[0].isdigit())
        items.append(_Item(len(match.group(1)) // 2, ordered, content))
    return _nested(items)


def _nested(items: list[_Item]) -> str:
    out: list[str] = []
    open_lists: list[str] = []  # the closing tags of the lists open, innermost last
    for item in items:
        depth = min(item.depth, len(open_lists))  # one level deeper at most
        while len(open_lists) > depth + 1:
            out.append("</li>" + open_lists.pop())
        if len(open_lists) == depth + 1:
            out.append("</li>")
        else:  # a new list, inside the item still open one level up (if any)
            tag = "ol" if item.ordered else "ul"
            out.append(f"<{tag}>")
            open_lists.append(f"</{tag}>")
        out.append(f"<li>{item.html}")
    while open_lists:
        out.append("</li>" + open_lists.pop())
    return "".join(out)


def _table(text: str, offset: int, passage: Range) -> str:
    """ "cell | cell" rows as a table, the first row as its header (as Markdown has it)."""
    rows = []
    for index, (line, at) in enumerate(_lines(text, offset)):
        tag = "th" if index == 0 else "td"
        cells, position = [], at
        for cell in line.split(_CELL_SEPARATOR):
            cells.append(f"<{tag}>{passage.marked(cell, position)}</{tag}>")
            position += len(cell) + len(_CELL_SEPARATOR)
        rows.append(f"<tr>{''.join(cells)}</tr>")
    head, body = rows[:1], rows[1:]
    return (
        f'<div class="table-scroll"><table><thead>{"".join(head)}</thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
