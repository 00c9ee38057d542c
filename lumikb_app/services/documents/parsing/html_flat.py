"""HTML nested too deeply for a tree: measured before parsing, and then read as flat text.

lexbor builds a tree in time that grows much faster than its depth (20,000 nested tables: 18 s;
80,000 nested divs: 14 s), so `nesting_depth` counts it first, in one linear pass over the
tags, and markup deeper than MAX_NESTING (browsers stop nesting at 512 too) is read without a
tree: the text between tags, a paragraph per block tag. Every scan here is linear, even on
markup that never closes its comments or tags.
"""

from __future__ import annotations

import html
import re

from lumikb_app.domain.documents import ParsedBlock

MAX_NESTING = 512
# Elements that never nest (void) or that the parser closes by itself when a sibling starts.
_NOT_NESTING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
    "tfoot", "option", "optgroup", "rb", "rt", "rp", "rtc", "colgroup", "caption", "html",
    "head", "body",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)([^<>]*)")
_BLOCK_TAG = re.compile(
    r"^/?(?:p|div|section|article|main|li|tr|h[1-6]|br|table|ul|ol|dl|dd|dt|blockquote|pre|hr)$",
    re.I,
)
_RAW_TEXT = ("script", "style", "textarea", "template", "title", "noscript", "svg")
_TITLE = re.compile(r"<title[^<>]*>([^<]*)", re.I)
_SPACES = re.compile(r"\s+")


def nesting_depth(markup: str) -> int:
    """How deep the elements nest, counted from the tags (comments and raw text skipped)."""
    depth = deepest = 0
    for closing, name, rest in _tags(markup):
        if name in _NOT_NESTING or rest.endswith("/"):
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def flat_blocks(markup: str) -> tuple[str | None, list[ParsedBlock]]:
    """The page's title and its text, one paragraph per run of text between block tags."""
    title = _TITLE.search(markup)
    parts, at = [], 0
    visible = _visible(markup)
    for match in _TAG.finditer(visible):
        parts.append(visible[at : match.start()])
        end = match.end() + (1 if visible[match.end() : match.end() + 1] == ">" else 0)
        parts.append("\n" if _BLOCK_TAG.match(match.group(1) + match.group(2)) else " ")
        at = end
    parts.append(visible[at:])
    lines = html.unescape("".join(parts)).split("\n")
    blocks = [ParsedBlock(_SPACES.sub(" ", line).strip()) for line in lines if line.strip()]
    heading = _SPACES.sub(" ", html.unescape(title.group(1))).strip() if title else ""
    return heading or None, blocks


def _tags(markup: str):
    for match in _TAG.finditer(_visible(markup)):
        yield match.group(1) == "/", match.group(2).lower(), match.group(3)


def _visible(markup: str) -> str:
    """The markup without comments and without the content of raw-text elements (a script's
    "<div>" is no tag), by str.find: linear whatever is left unclosed."""
    kept, at, lowered = [], 0, markup.lower()
    while (start := lowered.find("<", at)) != -1:
        opener = _raw_opener(lowered, start)
        if opener is None:
            kept.append(markup[at : start + 1])
            at = start + 1
            continue
        kept.append(markup[at:start] + " ")
        close = lowered.find(opener[1], start + len(opener[0]))
        end = -1 if close == -1 else lowered.find(">", close)
        at = len(markup) if end == -1 else end + 1
    kept.append(markup[at:])
    return "".join(kept)


def _raw_opener(lowered: str, start: int) -> tuple[str, str] | None:
    if lowered.startswith("<!--", start):
        return "<!--", "-->"
    for name in _RAW_TEXT:
        after = start + len(name) + 1
        if lowered.startswith(f"<{name}", start) and not lowered[after : after + 1].isalnum():
            return f"<{name}", f"</{name}"
    return None
