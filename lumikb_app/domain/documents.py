"""What a parser returns and what the chunker makes of it: plain data, no behaviour beyond offsets.

A parsed document is a list of blocks (headings, paragraphs, lists, tables, code). Its full
text is the blocks' texts joined with ``BLOCK_SEPARATOR``; every character offset stored for a
chunk points into that full text, so ``full_text[chunk.char_start:chunk.char_end] == chunk.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list", "table", "code"]
BLOCK_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class ParsedBlock:
    """One structural unit of a document.

    ``heading_path`` is the chain of section titles the block sits under; a heading block's
    path ends with its own title. ``page`` is 1-based, or None for formats without pages.
    """

    text: str
    page: int | None = None
    heading_path: tuple[str, ...] = ()
    kind: BlockKind = "paragraph"


@dataclass(frozen=True, slots=True)
class BlockSpan:
    """A block and where its text sits in the document's full text."""

    index: int
    block: ParsedBlock
    char_start: int
    char_end: int


@dataclass(frozen=True)
class ParsedDocument:
    blocks: tuple[ParsedBlock, ...]
    page_count: int | None
    title: str | None
    mime_type: str
    _spans: tuple[BlockSpan, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(self.blocks))
        object.__setattr__(self, "_spans", _block_spans(self.blocks))

    @cached_property
    def full_text(self) -> str:
        return BLOCK_SEPARATOR.join(block.text for block in self.blocks)

    @property
    def spans(self) -> tuple[BlockSpan, ...]:
        """Each block with its [char_start, char_end) range in ``full_text``."""
        return self._spans


def _block_spans(blocks: tuple[ParsedBlock, ...]) -> tuple[BlockSpan, ...]:
    spans, position = [], 0
    for index, block in enumerate(blocks):
        end = position + len(block.text)
        spans.append(BlockSpan(index, block, position, end))
        position = end + len(BLOCK_SEPARATOR)
    return tuple(spans)


@dataclass(frozen=True, slots=True)
class ChunkDraft:
    """A passage ready to embed: ``text`` is exactly ``full_text[char_start:char_end]``.

    Consecutive chunks of one section may overlap (the next one starts before the previous
    one ends); ``page_start``/``page_end`` are None for formats without pages.
    """

    ordinal: int
    text: str
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    heading_path: tuple[str, ...]
    token_count: int
