"""Split a ParsedDocument into token-sized, structure-aware, overlapping chunks.

How a document is cut:

1. Each block is cut into units: a heading is one unit; a paragraph is cut into sentences; a
   list, table or code block into lines. A unit longer than ``chunk_tokens`` is cut into
   sentences, then at word boundaries, and only a single word longer than the limit is cut
   inside the word.
2. Units are packed greedily into chunks of at most ``chunk_tokens``. A heading, or a block of
   another section, always starts a new chunk, unless the chunk so far holds only headings
   (so "Code Lay-out" > "Indentation" stay with the text that follows them).
3. When a chunk is full and the next unit belongs to the same section, the next chunk starts
   with the previous chunk's last whole sentences (at most ``overlap_tokens``, and never so
   many that the next unit would not fit); when not even one sentence fits, with its last words.

Every chunk is one contiguous span of the document's full text:
``chunk.text == document.full_text[chunk.char_start:chunk.char_end]``, starting and ending on
non-whitespace. Consecutive chunks of one section overlap (``next.char_start < prev.char_end``);
chunks of different sections never do. With an additive counter, such as the default, every
``token_count`` is at most ``chunk_tokens``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from lumikb_app.domain.documents import BlockSpan, ChunkDraft, ParsedDocument

TokenCounter = Callable[[str], int]
DEFAULT_CHUNK_TOKENS = 300
DEFAULT_OVERLAP_TOKENS = 50

_TOKEN = re.compile(r"\w{1,8}|[^\w\s]")
_WORD = re.compile(r"\S+")
_LINE = re.compile(r"[^\n]*\S[^\n]*")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？]+[”’」』）]*")
_NEXT_WORD = re.compile(r"\s*(\S+)")
_Piece = tuple[int, int, int]  # start, end, tokens
_MAX_CHARS_PER_TOKEN = 32  # first guess for cutting inside a word; shrunk until it fits
# fmt: off
_ABBREVIATIONS = {
    "e.g", "i.e", "al", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "approx",
    "ca", "resp", "z.b", "d.h", "u.a", "bzw", "usw", "vgl",
}
# Abbreviations only when a number follows ("No. 5", "Fig. 2"); elsewhere they end sentences.
_NUMBER_ABBREVIATIONS = {"no", "nr", "nos", "fig", "figs", "eq", "eqs", "vol", "ch", "sec", "p", "pp"}
# fmt: on


def approximate_tokens(text: str) -> int:
    """A fast stand-in for a subword tokenizer: one token per punctuation mark and per started
    8 characters of a word (most English words are one token, long ones two or more).
    It is additive: the count of a text is the sum of the counts of its whitespace-separated
    parts."""
    return len(_TOKEN.findall(text))


def chunk(
    document: ParsedDocument,
    *,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
    count_tokens: TokenCounter = approximate_tokens,
) -> list[ChunkDraft]:
    if chunk_tokens < 1 or not 0 <= overlap_tokens < chunk_tokens:
        raise ValueError("need chunk_tokens >= 1 and 0 <= overlap_tokens < chunk_tokens")
    text = document.full_text
    units = [
        unit
        for span in document.spans
        for unit in _block_units(span, text, count_tokens, chunk_tokens)
    ]
    packer = _Packer(text, chunk_tokens, overlap_tokens, count_tokens)
    groups = packer.pack(units)
    return [_draft(ordinal, group, text, count_tokens) for ordinal, group in enumerate(groups)]


@dataclass(frozen=True, slots=True)
class _Unit:
    """An unbreakable piece of the full text: [start, end) with its block's page and path."""

    start: int
    end: int
    tokens: int
    opens_block: bool
    heading: bool
    page: int | None
    path: tuple[str, ...]


def _block_units(span: BlockSpan, text: str, count: TokenCounter, limit: int) -> Iterator[_Unit]:
    block = span.block
    block_text = text[span.char_start : span.char_end]
    if block.kind == "heading":
        pieces = [_trimmed(block_text, 0, len(block_text))]
    elif block.kind in ("list", "table", "code"):
        pieces = _line_spans(block_text)
    else:
        pieces = sentence_spans(block_text)
    fitted = [
        piece
        for start, end in pieces
        if end > start
        for piece in _fit(block_text, start, end, count, limit)
    ]
    for number, (start, end, tokens) in enumerate(fitted):
        yield _Unit(
            start=span.char_start + start,
            end=span.char_start + end,
            tokens=tokens,
            opens_block=number == 0,
            heading=block.kind == "heading",
            page=block.page,
            path=block.heading_path,
        )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, without surrounding whitespace."""
    spans, start = [], _skip_space(text, 0)
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end <= start or not _is_sentence_end(text, match):
            continue
        spans.append((start, end))
        start = _skip_space(text, end)
    if start < len(text) and text[start:].strip():
        spans.append(_trimmed(text, start, len(text)))
    return spans


def _is_sentence_end(text: str, match: re.Match) -> bool:
    if match.group()[0] in "。！？":
        return True
    following = _NEXT_WORD.match(text, match.end())
    if following is None:
        return True
    if following.group(1)[0].islower():
        return False
    if match.group()[0] != ".":
        return True
    words = text[max(0, match.start() - 40) : match.start()].split()
    previous = words[-1].lower().lstrip("([\"'“") if words else ""
    if previous in _NUMBER_ABBREVIATIONS:
        return not following.group(1)[0].isdigit()
    return not (previous in _ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()))


def _line_spans(text: str) -> list[tuple[int, int]]:
    return [_trimmed(text, m.start(), m.end()) for m in _LINE.finditer(text)]


def _fit(text: str, start: int, end: int, count: TokenCounter, limit: int) -> list[_Piece]:
    """The span itself if it fits, else sentences, else word runs, else pieces of one word."""
    tokens = count(text[start:end])
    if tokens <= limit:
        return [(start, end, tokens)]
    sentences = [(start + s, start + e) for s, e in sentence_spans(text[start:end])]
    if len(sentences) > 1:
        return [piece for s, e in sentences for piece in _fit(text, s, e, count, limit)]
    return _word_runs(text, start, end, count, limit)


def _word_runs(text: str, start: int, end: int, count: TokenCounter, limit: int) -> list[_Piece]:
    runs: list[_Piece] = []
    for word in _WORD.finditer(text, start, end):
        tokens = count(word.group())
        if tokens > limit:
            runs.extend(_word_pieces(text, word.start(), word.end(), count, limit))
        elif runs and runs[-1][2] + tokens <= limit:
            run_start, _, run_tokens = runs[-1]
            runs[-1] = (run_start, word.end(), run_tokens + tokens)
        else:
            runs.append((word.start(), word.end(), tokens))
    return runs


def _word_pieces(text: str, start: int, end: int, count: TokenCounter, limit: int) -> list[_Piece]:
    """A word longer than the limit, in long pieces that fit; each counts as full, so the
    next word starts a new run."""
    pieces = []
    while start < end:
        size = min(end - start, limit * _MAX_CHARS_PER_TOKEN)
        while size > 1 and (tokens := count(text[start : start + size])) > limit:
            size = max(1, size * limit // tokens - 1)
        pieces.append((start, start + size, limit))
        start += size
    return pieces


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


class _Packer:
    def __init__(self, text: str, limit: int, overlap: int, count: TokenCounter) -> None:
        self.text, self.limit, self.overlap, self.count = text, limit, overlap, count

    def pack(self, units: list[_Unit]) -> list[list[_Unit]]:
        groups: list[list[_Unit]] = []
        current: list[_Unit] = []
        tokens = 0
        for unit in units:
            if current and _opens_section(current, unit):
                groups.append(current)
                current, tokens = [], 0
            elif current and tokens + unit.tokens > self.limit:
                groups.append(current)
                current = self._overlap(current, unit)
                tokens = sum(u.tokens for u in current)
            current.append(unit)
            tokens += unit.tokens
        if current:
            groups.append(current)
        return groups

    def _overlap(self, previous: list[_Unit], following: _Unit) -> list[_Unit]:
        """The tail of ``previous`` to repeat before ``following``: whole units, else words."""
        budget = min(self.overlap, self.limit - following.tokens)
        taken: list[_Unit] = []
        for unit in reversed(previous):
            if unit.heading or sum(u.tokens for u in taken) + unit.tokens > budget:
                break
            taken.insert(0, unit)
        if taken or budget <= 0 or previous[-1].heading:
            return taken
        tail = self._word_tail(previous[-1], budget)
        return [tail] if tail is not None else []

    def _word_tail(self, unit: _Unit, budget: int) -> _Unit | None:
        tail = None
        for word in reversed(list(_WORD.finditer(self.text, unit.start, unit.end))):
            tokens = self.count(self.text[word.start() : unit.end])
            if tokens > budget:
                break
            tail = replace(unit, start=word.start(), tokens=tokens, opens_block=False)
        return tail if tail is not None and tail.start > unit.start else None


def _opens_section(current: list[_Unit], unit: _Unit) -> bool:
    """True when ``unit`` starts a heading or a block of another section after some content."""
    if not unit.opens_block:
        return False
    last_content = next((u for u in reversed(current) if not u.heading), None)
    return last_content is not None and (unit.heading or unit.path != last_content.path)


def _draft(ordinal: int, group: list[_Unit], text: str, count: TokenCounter) -> ChunkDraft:
    start, end = group[0].start, group[-1].end
    pages = [unit.page for unit in group if unit.page is not None]
    content = [unit for unit in group if not unit.heading]
    path = content[0].path if content else group[-1].path
    body = text[start:end]
    return ChunkDraft(
        ordinal=ordinal,
        text=body,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        char_start=start,
        char_end=end,
        heading_path=path,
        token_count=count(body),
    )
