"""HTML with selectolax (MIT, lexbor engine): the main text, h1-h6 as the heading path.

Scripts, styles, navigation, headers, footers, asides and forms are dropped; when the page has
a <main> or role="main" element, or a single <article>, only that is read. Markup nested deeper
than html_flat.MAX_NESTING is read as flat text without building a tree (html_flat.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from lumikb_app.domain.documents import BlockKind, ParsedBlock, ParsedDocument
from lumikb_app.services.documents.parsing import HTML, html_flat
from lumikb_app.services.documents.parsing.text import decode_text, normalize

_DROPPED = {
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "nav", "header", "footer", "aside", "form", "button", "select", "head", "title", "meta",
    "link", "img", "video", "audio", "map",
}  # fmt: skip
_BLOCKS = {
    "p", "div", "section", "article", "main", "body", "blockquote", "figure", "figcaption",
    "address", "details", "summary", "center", "fieldset", "li", "dd", "dt", "td", "th", "hr",
    "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "html",
}  # fmt: skip
_MAIN_SELECTORS = ("main", "[role=main]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
_SPACES = re.compile(r"\s+")


def parse(path: Path) -> ParsedDocument:
    from selectolax.lexbor import LexborHTMLParser

    markup = _decode(path.read_bytes())
    if html_flat.nesting_depth(markup) > html_flat.MAX_NESTING:
        flat_title, blocks = html_flat.flat_blocks(markup)
        return ParsedDocument(tuple(blocks), page_count=None, title=flat_title, mime_type=HTML)
    tree = LexborHTMLParser(markup)
    title = _page_title(tree)
    main = _main_node(tree)
    walker = _Walker()
    try:
        walker.walk(main)
    except RecursionError:
        walker.blocks = _flat_blocks(tree, main)
    title = title or walker.first_h1
    return ParsedDocument(tuple(walker.blocks), page_count=None, title=title, mime_type=HTML)


def _flat_blocks(tree, main) -> list[ParsedBlock]:
    """For markup nested too deeply to walk: the text alone, one paragraph per text run."""
    tree.strip_tags(sorted(_DROPPED))
    lines = (line.strip() for line in main.text(deep=True, separator="\n").split("\n"))
    return [ParsedBlock(_SPACES.sub(" ", line)) for line in lines if line]


def _decode(data: bytes) -> str:
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return normalize(data.decode(declared.group(1).decode("ascii")))
        except (LookupError, UnicodeDecodeError):
            pass
    return normalize(decode_text(data))


def _page_title(tree) -> str | None:
    node = tree.css_first("title")
    title = _SPACES.sub(" ", node.text()).strip() if node is not None else ""
    return title or None


def _main_node(tree):
    """<main> or role="main", else the one <article> (a page listing several is read whole)."""
    candidates = [tree.css_first(selector) for selector in _MAIN_SELECTORS]
    articles = tree.css("article")
    if len(articles) == 1:
        candidates.append(articles[0])
    for node in candidates:
        if node is not None and node.text(strip=True):
            return node
    return tree.body if tree.body is not None else tree.root


class _Walker:
    """Collects blocks in document order; loose inline text between blocks becomes a paragraph."""

    def __init__(self) -> None:
        self.blocks: list[ParsedBlock] = []
        self.path: tuple[str, ...] = ()
        self.inline: list[str] = []
        self.first_h1: str | None = None

    def walk(self, node) -> None:
        self._children(node)
        self._flush()

    def _children(self, node) -> None:
        for child in node.iter(include_text=True):
            self._visit(child)

    def _visit(self, node) -> None:
        tag = node.tag
        if tag == "-text":
            self.inline.append(node.text(deep=False))
        elif tag.startswith(("_", "!")) or tag in _DROPPED:
            return
        elif tag not in _BLOCKS:
            self._children(node)
        else:
            self._flush()
            self._block(tag, node)

    def _block(self, tag: str, node) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading(int(tag[1]), _inline_text(node))
        elif tag in ("ul", "ol", "dl"):
            self._add("\n".join(_list_lines(node, 0)), "list")
        elif tag == "table":
            self._add(_table_text(node), "table")
        elif tag == "pre":
            self._add(node.text(deep=True).strip("\n"), "code")
        elif tag not in ("hr", "br"):
            self._children(node)
            self._flush()

    def _heading(self, level: int, text: str) -> None:
        if not text:
            return
        self.path = self.path[: level - 1] + (text,)
        self._add(text, "heading")
        if level == 1 and self.first_h1 is None:
            self.first_h1 = text

    def _flush(self) -> None:
        self._add(_SPACES.sub(" ", "".join(self.inline)).strip(), "paragraph")
        self.inline = []

    def _add(self, text: str, kind: BlockKind) -> None:
        if text.strip():
            self.blocks.append(ParsedBlock(text, None, self.path, kind))


def _inline_text(node) -> str:
    return _SPACES.sub(" ", node.text(deep=True, separator=" ")).strip()


def _list_lines(node, depth: int) -> list[str]:
    """One line per item ("- text"), nested lists indented under their item."""
    lines = []
    for item in node.iter():
        if item.tag not in ("li", "dt", "dd"):
            continue
        own, nested = [], []
        for child in item.iter(include_text=True):
            if child.tag in ("ul", "ol", "dl"):
                nested.extend(_list_lines(child, depth + 1))
            elif child.tag == "-text" or child.tag not in _DROPPED:
                own.append(child.text(deep=True, separator=" "))
        text = _SPACES.sub(" ", "".join(own)).strip()
        indent = "  " * (depth + (1 if item.tag == "dd" else 0))
        if text:
            lines.append(f"{indent}{'' if item.tag != 'li' else '- '}{text}")
        lines.extend(nested)
    return lines


def _table_text(node) -> str:
    rows = []
    for row in node.css("tr"):
        cells = [_inline_text(cell) for cell in row.iter() if cell.tag in ("td", "th")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)
