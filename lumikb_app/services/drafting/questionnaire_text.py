"""An answer as the plain text of a questionnaire cell: its Markdown parsed (the exports'
markdown-it parser) and written without marks. Code keeps every character and its indentation
(a fence's lines stay as written, only the fence goes); emphasis goes, a link reads
"text (address)", a bullet "•", line breaks and `[n]` markers stay as written. The extractive
note is for the people drafting, not the customer, so it is left out."""

from __future__ import annotations

from markdown_it.token import Token

from lumikb_app.domain.drafting import EXTRACTIVE_NOTE
from lumikb_app.services.drafting.export_blocks import MARKDOWN, clean

LINKABLE = ("http://", "https://", "mailto:")


def plain_answer(content: str) -> str:
    markdown = clean(content).replace(EXTRACTIVE_NOTE, "").strip()
    blocks = _Blocks().walk(MARKDOWN.parse(markdown))
    out: list[str] = []
    for index, (item, text) in enumerate(blocks):
        if index:
            out.append("\n" if item and blocks[index - 1][0] else "\n\n")
        out.append(text)
    return "".join(out).strip("\n")


class _Blocks:
    """(is a list item, text) per block, in reading order."""

    def __init__(self) -> None:
        self.blocks: list[tuple[bool, str]] = []
        self.lists: list[str] = []  # "•" or "" (numbered) per open list
        self.marker = ""

    def walk(self, tokens: list[Token]) -> list[tuple[bool, str]]:
        for index, token in enumerate(tokens):
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.lists.append("•" if kind == "bullet_list_open" else "")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self.marker = self.lists[-1] or f"{token.info or 1}."
            elif kind in ("paragraph_open", "heading_open"):
                self._text(inline(tokens[index + 1]))
            elif kind in ("fence", "code_block"):
                self.blocks.append((False, token.content.rstrip("\n")))
            elif kind == "tr_open":
                self.blocks.append((True, " | ".join(_cells(tokens, index))))
            elif kind == "hr":
                self.blocks.append((False, "———"))
        return self.blocks

    def _text(self, text: str) -> None:
        if not self.lists:
            self.blocks.append((False, text))
            return
        indent = "  " * (len(self.lists) - 1)
        marker, self.marker = self.marker or " ", ""
        self.blocks.append((True, f"{indent}{marker} {text}"))


def _cells(tokens: list[Token], index: int) -> list[str]:
    cells: list[str] = []
    while tokens[index].type != "tr_close":
        if tokens[index].type == "inline":
            cells.append(inline(tokens[index]))
        index += 1
    return cells


def inline(token: Token) -> str:
    """An inline run as text: marks dropped, breaks kept, a link's address after its text."""
    out: list[str] = []
    href, start = "", 0
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline", "image"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "link_open":
            href, start = str(child.attrGet("href") or ""), len(out)
        elif kind == "link_close":
            if href.startswith(LINKABLE) and "".join(out[start:]) != href:
                out.append(f" ({href})")
            href = ""
    return "".join(out)
