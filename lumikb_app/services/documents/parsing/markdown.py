"""Markdown with markdown-it-py (MIT, CommonMark + tables): #-headings give the heading path.

Inline markup is reduced to its text (link targets and emphasis markers dropped); lists keep
one line per item, tables become "cell | cell" rows, fenced code stays as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lumikb_app.domain.documents import BlockKind, ParsedBlock, ParsedDocument
from lumikb_app.services.documents.parsing import MARKDOWN
from lumikb_app.services.documents.parsing.text import read_text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_MATTER_TITLE = re.compile(r"^title:\s*[\"']?(.+?)[\"']?\s*$", re.M | re.I)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_LIST_OPEN = ("bullet_list_open", "ordered_list_open")
_LIST_CLOSE = ("bullet_list_close", "ordered_list_close")


@dataclass
class _Walk:
    """What the token walk has seen so far."""

    blocks: list[ParsedBlock] = field(default_factory=list)
    path: tuple[str, ...] = ()
    list_depth: int = 0
    list_lines: list[str] = field(default_factory=list)
    item_marker: str = "- "
    table_rows: list[list[str]] = field(default_factory=list)
    first_h1: str | None = None

    def add(self, text: str, kind: BlockKind) -> None:
        if text.strip():
            self.blocks.append(ParsedBlock(text.strip("\n"), None, self.path, kind))


def parse(path: Path) -> ParsedDocument:
    source = read_text(path)
    body, front_title = _split_front_matter(source)
    walk = _walk(body)
    title = front_title or walk.first_h1
    return ParsedDocument(tuple(walk.blocks), page_count=None, title=title, mime_type=MARKDOWN)


def _split_front_matter(source: str) -> tuple[str, str | None]:
    match = _FRONT_MATTER.match(source)
    if not match:
        return source, None
    title = _FRONT_MATTER_TITLE.search(match.group(1))
    return source[match.end() :], title.group(1).strip() if title else None


def _walk(source: str) -> _Walk:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    walk = _Walk()
    for index, token in enumerate(tokens):
        inline = tokens[index + 1] if index + 1 < len(tokens) else None
        _visit(walk, token, inline)
    return walk


def _visit(walk: _Walk, token, inline) -> None:
    kind = token.type
    if kind in _LIST_OPEN:
        walk.list_depth += 1
    elif kind in _LIST_CLOSE:
        walk.list_depth -= 1
        if walk.list_depth == 0:
            walk.add("\n".join(walk.list_lines), "list")
            walk.list_lines = []
    elif kind == "list_item_open":
        walk.item_marker = f"{token.info}{token.markup} " if token.info else f"{token.markup} "
    elif kind == "heading_open" and walk.list_depth == 0:
        _heading(walk, int(token.tag[1]), _inline_text(inline))
    elif kind == "paragraph_open" and inline is not None:
        _paragraph(walk, _inline_text(inline))
    elif kind in ("fence", "code_block"):
        _code(walk, token.content.rstrip("\n"))
    elif kind == "html_block":
        _paragraph(walk, _TAG.sub("", token.content).strip())
    else:
        _table_token(walk, token, inline)


def _heading(walk: _Walk, level: int, text: str) -> None:
    if not text:
        return
    walk.path = walk.path[: level - 1] + (text,)
    walk.add(text, "heading")
    if level == 1 and walk.first_h1 is None:
        walk.first_h1 = text


def _paragraph(walk: _Walk, text: str) -> None:
    if walk.list_depth:
        indent = "  " * (walk.list_depth - 1)
        walk.list_lines.append(f"{indent}{walk.item_marker}{text}")
        walk.item_marker = "  "
    else:
        walk.add(text, "paragraph")


def _code(walk: _Walk, code: str) -> None:
    if walk.list_depth:
        walk.list_lines.append(code)
    else:
        walk.add(code, "code")


def _table_token(walk: _Walk, token, inline) -> None:
    if token.type == "tr_open":
        walk.table_rows.append([])
    elif token.type in ("th_open", "td_open") and walk.table_rows:
        walk.table_rows[-1].append(_inline_text(inline) if inline is not None else "")
    elif token.type == "table_close":
        rows = [" | ".join(cells) for cells in walk.table_rows if any(cells)]
        walk.add("\n".join(rows), "table")
        walk.table_rows = []


def _inline_text(inline) -> str:
    """Plain text of an inline token: soft breaks become spaces, images their alt text."""
    if inline is None or inline.type != "inline":
        return ""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()
