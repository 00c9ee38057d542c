"""Code and literal blocks in a passage, and the sentence that introduces each.

A parsed passage keeps its blocks apart with a blank line (services/documents/chunking.py): a
paragraph is one line, a code or literal block keeps its own lines. A block is taken as literal
when the block before it ends with a colon ("as follows:", "looks like this:", reST's "::") and
it reads neither as prose nor as a list. The introducing sentence carries its block(s), so an
answer that quotes "the first line must match the following regular expression:" shows the
expression too. Blocks joined by a short connector ("or:") travel together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LITERAL_CHARS = 1200  # of all the blocks one sentence carries
MAX_LITERAL_BLOCKS = 3  # code blocks (connectors between them not counted)
MAX_CONNECTOR_WORDS = 8

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+")
_ENDS_LIKE_A_SENTENCE = re.compile(r"[.!?][\"')\]]*$")
_SENTENCE_INSIDE = re.compile(r"[.!?][\"')\]]*\s")
_PLAIN_WORD = re.compile(r"^[\"'(]?[A-Za-z][a-z'’-]*[\"'),;:.!?]*$")
INTRO_PLAIN = 0.6  # share of plain words in the line that introduces a block (not code)


@dataclass(frozen=True)
class Piece:
    text: str
    code: bool  # False: a short connector between two literal blocks, shown as text


@dataclass(frozen=True)
class Block:
    text: str
    literal: tuple[Piece, ...] = ()  # what the block's last sentence introduces


def blocks(text: str) -> list[Block]:
    """The passage's blocks; a block that introduces literal blocks carries them, and the
    literal blocks do not appear on their own."""
    raw = [
        piece
        for part in _BLANK_LINE.split(text)
        if part.strip()
        for piece in _nested_code(part.strip("\n"))
    ]
    found: list[Block] = []
    at = 0
    while at < len(raw):
        block = raw[at]
        pieces: tuple[Piece, ...] = ()
        at += 1
        if introduces(block):
            pieces, at = _literal_run(raw, at)
        found.append(Block(block, pieces))
    return found


def _nested_code(block: str) -> list[str]:
    """A list item's code (indented under "- Using Emacs style:", as reST list items keep it)
    becomes a block of its own after the item, so the item introduces it like a paragraph."""
    lines = block.split("\n")
    if not _LIST_MARKER.match(lines[0]):
        return [block]  # code's own "for row in rows:" introduces nothing
    pieces: list[str] = []
    start = at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if not introduces(line):
            continue
        depth = _indent(line)
        end = at
        while (
            end < len(lines) and _indent(lines[end]) > depth and not _LIST_MARKER.match(lines[end])
        ):
            end += 1
        code = _dedent("\n".join(lines[at:end]))
        if end > at and is_literal(code):
            pieces += ["\n".join(lines[start:at]), code]
            start = at = end
    pieces.append("\n".join(lines[start:]))
    return [piece for piece in pieces if piece.strip()]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def introduces(block: str) -> bool:
    """Ends with a colon, in words: "such as:", not a code line "# vim: set ... :"."""
    last = block.rstrip().rsplit("\n", 1)[-1]
    return last.endswith(":") and _plain_share(last) >= INTRO_PLAIN


def is_literal(block: str) -> bool:
    """Not prose (a sentence of plain words) and not a list: code, a command, an expression."""
    lines = [line for line in block.split("\n") if line.strip()]
    if not lines or _LIST_MARKER.match(lines[0]):
        return False
    prose_lines = all(len(line) > 40 for line in lines[:-1])  # wrapped text, as in a PDF
    ending = block.rstrip()
    return not (
        prose_lines
        and (_ENDS_LIKE_A_SENTENCE.search(ending) or ending.endswith(":"))
        and _plain_share(block) >= 0.8
    )


def _plain_share(text: str) -> float:
    words = text.split()
    return sum(bool(_PLAIN_WORD.match(word)) for word in words) / len(words) if words else 0.0


def fenced(pieces: tuple[Piece, ...]) -> str:
    """The blocks as Markdown: code in ``` fences (longer when the code holds ```), connectors
    as their own paragraph."""
    parts = []
    for piece in pieces:
        if not piece.code:
            parts.append(piece.text)
            continue
        longest = max((len(run) for run in re.findall(r"`{3,}", piece.text)), default=2)
        fence = "`" * (longest + 1)
        parts.append(f"{fence}\n{piece.text}\n{fence}")
    return "\n\n".join(parts)


def intro_text(sentence: str) -> str:
    """reST's "Example::" reads "Example:"; a lone "::" disappears."""
    if sentence.endswith("::"):
        return sentence[:-1].rstrip() if len(sentence.rstrip(": ")) else ""
    return sentence


def _literal_run(raw: list[str], at: int) -> tuple[tuple[Piece, ...], int]:
    pieces: list[Piece] = []
    size = 0
    while at < len(raw) and is_literal(raw[at]) and _code_count(pieces) < MAX_LITERAL_BLOCKS:
        text = _bounded(_dedent(raw[at]), MAX_LITERAL_CHARS - size)
        if not text:
            break
        pieces.append(Piece(text, code=True))
        size += len(text)
        at += 1
        if at + 1 < len(raw) and _connector(raw[at]) and is_literal(raw[at + 1]):
            if size >= MAX_LITERAL_CHARS or _code_count(pieces) >= MAX_LITERAL_BLOCKS:
                break
            pieces.append(Piece(_LIST_MARKER.sub("", raw[at]).strip(), code=False))
            at += 1
    while pieces and not pieces[-1].code:  # a connector whose block did not fit
        pieces.pop()
    return tuple(pieces), at


def _code_count(pieces: list[Piece]) -> int:
    return sum(piece.code for piece in pieces)


def _connector(block: str) -> bool:
    """A short one-sentence bridge between two blocks: "or:", "or, with an editor's syntax:"."""
    one_sentence = not _SENTENCE_INSIDE.search(block) and "\n" not in block
    return one_sentence and introduces(block) and len(block.split()) <= MAX_CONNECTOR_WORDS


def _bounded(text: str, room: int) -> str:
    """The block, or as many of its first lines as fit in `room` characters, then "..."."""
    if len(text) <= room:
        return text
    kept: list[str] = []
    for line in text.split("\n"):
        if sum(len(k) + 1 for k in kept) + len(line) > room - 4:
            break
        kept.append(line)
    return "\n".join([*kept, "..."]) if kept else ""


def _dedent(block: str) -> str:
    lines = block.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:].rstrip() for line in lines)
