"""A draft as the exports see it: its sections' Markdown parsed (markdown-it-py) into a flat
list of blocks of styled spans, and its citations numbered once for the whole document.

Every `[n]` marker of a section becomes a citation span with a document-wide number: numbers run
1, 2, 3... in reading order, one per source of each section (a source cited twice in one answer
keeps its number). The Word, PDF and Markdown exports all show these numbers, each with a note
naming the document, the page, the knowledge base and an absolute link to the viewer.
Markers inside code (fenced, indented or inline) are code, not citations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from lumikb_app.db.tables import DraftSection
from lumikb_app.domain.chat import CITATION_MARKER
from lumikb_app.domain.drafting import EXTRACTIVE_NOTE, NOT_COVERED_TEXT, SectionMode

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML
NOT_COVERED_LABEL = "Not covered — left for a person to answer"
NOT_ANSWERED_LABEL = "Not answered yet — left for a person to answer"
NOT_ANSWERED_TEXT = "This section has no answer yet."
# Said under the "Not covered" label, so the label's words are not repeated.
NOT_COVERED_BODY = "The knowledge bases this draft draws from do not answer this."
_LINKABLE = ("http://", "https://", "mailto:")  # an answer's own links; others stay text

MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Span:
    """A run of text with one style; `cite` > 0 is a citation mark (its number, no text)."""

    text: str = ""
    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    href: str = ""
    cite: int = 0


@dataclass(frozen=True)
class Block:
    """One block of an answer. kind: paragraph, heading (level 1..6 as written in the answer),
    code (text, language), item (a list paragraph: `marker` "•" or "3." on its first
    paragraph, "" on the ones after; `depth` from 0), table (rows of cells of spans, the first
    row the header), rule. `quote` marks text inside a block quote."""

    kind: str
    spans: tuple[Span, ...] = ()
    level: int = 0
    text: str = ""
    language: str = ""
    marker: str = ""
    depth: int = 0
    quote: bool = False
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = ()


@dataclass(frozen=True)
class SourceNote:
    """A numbered citation: where the passage is and the absolute viewer link to it."""

    number: int
    document: str
    page: int | None
    kb_name: str
    link: str
    quote: str

    @property
    def where(self) -> str:
        """ "pep-0008.txt, page 3 (Engineering)" """
        page = f", page {self.page}" if self.page else ""
        kb = f" ({self.kb_name})" if self.kb_name else ""
        return f"{self.document}{page}{kb}"


@dataclass(frozen=True)
class ExportSection:
    """A section ready to render. kind: "answer", "not_covered" or "empty" (the last two are
    marked for a person). `question` is True for a questionnaire row."""

    heading: str
    ref: str
    group: str
    kind: str
    blocks: list[Block]
    notes: list[SourceNote]
    question: bool
    text: str = ""  # the answer's Markdown with the document-wide numbers (`[^7]` markers)


@dataclass(frozen=True)
class ExportDocument:
    title: str
    subtitle: str
    note: str  # the extractive note, said once for the document ("" when no section needs it)
    sections: list[ExportSection] = field(default_factory=list)

    @property
    def notes(self) -> list[SourceNote]:
        return [note for section in self.sections for note in section.notes]


def build_document(
    title: str,
    subtitle: str,
    sections: Sequence[DraftSection],
    base_url: str,
    questionnaire: bool,
) -> ExportDocument:
    """The draft's sections as blocks, with citations numbered for the whole document."""
    counter = _Counter()
    built = [_section(s, base_url.rstrip("/"), questionnaire, counter) for s in sections]
    extractive = any(_has_note(s) or s.mode == SectionMode.extractive.value for s in sections)
    return ExportDocument(
        clean(title), clean(subtitle), EXTRACTIVE_NOTE if extractive else "", built
    )


def clean(text: str) -> str:
    return CONTROL.sub("", text or "")


class _Counter:
    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _section(
    section: DraftSection, base_url: str, questionnaire: bool, counter: _Counter
) -> ExportSection:
    content = clean(section.content or "").replace(EXTRACTIVE_NOTE, "").strip()
    kind = _kind(section, content)
    numbering = _Numbering(section.sources or [], counter)
    blocks = parse_markdown(content, numbering.number) if kind == "answer" else []
    text = _renumbered_markdown(content, numbering) if kind == "answer" else ""
    if kind == "not_covered":
        blocks = [Block("paragraph", (Span(NOT_COVERED_BODY),))]
    elif kind == "empty":
        blocks = [Block("paragraph", (Span(NOT_ANSWERED_TEXT),))]
    return ExportSection(
        heading=clean(section.title),
        ref=clean(section.ref),
        group=clean(section.group),
        kind=kind,
        blocks=blocks,
        notes=numbering.notes(base_url),
        question=questionnaire,
        text=text,
    )


def _kind(section: DraftSection, content: str) -> str:
    if content == NOT_COVERED_TEXT or (section.mode == SectionMode.not_covered and not content):
        return "not_covered"
    return "answer" if content else "empty"


def _has_note(section: DraftSection) -> bool:
    return EXTRACTIVE_NOTE in (section.content or "")


class _Numbering:
    """A section's source numbers (as its `[n]` markers say them) mapped to document numbers,
    given in the order the markers are first met."""

    def __init__(self, sources: Sequence[dict[str, Any]], counter: _Counter) -> None:
        self.sources = {s.get("n"): s for s in sources if isinstance(s.get("n"), int)}
        self.counter = counter
        self.numbers: dict[int, int] = {}

    def number(self, local: int) -> int:
        """The document number of the section's source `local`; 0 when it has no such source."""
        if local not in self.sources:
            return 0
        if local not in self.numbers:
            self.numbers[local] = self.counter.next()
        return self.numbers[local]

    def notes(self, base_url: str) -> list[SourceNote]:
        return [
            _note(number, self.sources[local], base_url)
            for local, number in sorted(self.numbers.items(), key=lambda item: item[1])
        ]


def _note(number: int, source: dict[str, Any], base_url: str) -> SourceNote:
    page = source.get("page")
    href = str(source.get("href") or "")
    link = f"{base_url}{href}" if href.startswith("/") else href
    return SourceNote(
        number=number,
        document=clean(str(source.get("document_name") or "Document")),
        page=page if isinstance(page, int) and not isinstance(page, bool) and page > 0 else None,
        kb_name=clean(str(source.get("kb_name") or "")),
        link=link,
        quote=" ".join(clean(str(source.get("text") or "")).split()),
    )


# --- Markdown -> blocks ----------------------------------------------------------------------


def parse_markdown(text: str, number: Callable[[int], int]) -> list[Block]:
    """Blocks of an answer's Markdown; `number(n)` gives the document number of marker [n]."""
    return _BlockWalker(number).walk(MARKDOWN.parse(text))


class _BlockWalker:
    def __init__(self, number: Callable[[int], int]) -> None:
        self.number = number
        self.blocks: list[Block] = []
        self.lists: list[str] = []  # "•" or the next number, per open list
        self.pending_marker = ""
        self.quote = 0

    def walk(self, tokens: list[Token]) -> list[Block]:
        index = 0
        while index < len(tokens):
            index = self._token(tokens, index)
        return self.blocks

    def _token(self, tokens: list[Token], index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.lists.append("•" if kind == "bullet_list_open" else "")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.pending_marker = "•" if self.lists[-1] == "•" else f"{token.info or 1}."
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind == "heading_open":
            spans = self.spans(tokens[index + 1])
            self.blocks.append(Block("heading", spans, level=int(token.tag[1:])))
            return index + 3
        elif kind == "paragraph_open":
            self._paragraph(self.spans(tokens[index + 1]))
            return index + 3
        elif kind in ("fence", "code_block"):
            self._code(token)
        elif kind == "table_open":
            return self._table(tokens, index)
        elif kind == "hr":
            self.blocks.append(Block("rule"))
        return index + 1

    def _paragraph(self, spans: tuple[Span, ...]) -> None:
        if self.lists:
            marker, self.pending_marker = self.pending_marker, ""
            block = Block("item", spans, marker=marker, depth=len(self.lists) - 1)
        else:
            block = Block("paragraph", spans)
        self.blocks.append(_quoted(block, self.quote > 0))

    def _code(self, token: Token) -> None:
        language = (token.info or "").split(" ")[0] if token.type == "fence" else ""
        code = token.content.rstrip("\n")
        self.blocks.append(
            Block("code", text=code, language=language, depth=len(self.lists), quote=self.quote > 0)
        )

    def _table(self, tokens: list[Token], index: int) -> int:
        rows: list[tuple[tuple[Span, ...], ...]] = []
        row: list[tuple[Span, ...]] = []
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_close":
                rows.append(tuple(row))
                row = []
            elif token.type == "inline":
                row.append(self.spans(token))
            index += 1
        self.blocks.append(Block("table", rows=tuple(rows)))
        return index + 1

    def spans(self, inline: Token) -> tuple[Span, ...]:
        out: list[Span] = []
        style = Span()  # the style the next text takes (its text unused)
        for child in inline.children or []:
            kind = child.type
            if kind in ("text", "image"):  # an image shows as its description
                out += self._text(child.content or "", style)
            elif kind == "code_inline":
                out.append(Span(child.content, code=True, href=style.href))
            elif kind in ("softbreak", "hardbreak"):
                out.append(replace(style, text=" " if kind == "softbreak" else "\n"))
            elif kind.endswith(("_open", "_close")):
                style = _restyle(style, child)
        return tuple(_merge(out))

    def _text(self, text: str, style: Span) -> list[Span]:
        """Text with its `[n]` markers as citation spans (the space before a mark dropped)."""
        out: list[Span] = []
        at = 0
        for match in CITATION_MARKER.finditer(text):
            numbers = [self.number(int(n)) for n in re.split(r"[,;]", match.group(1))]
            out.append(replace(style, text=text[at : match.start()].rstrip()))
            out += [Span(cite=n) for n in dict.fromkeys(numbers) if n]
            at = match.end()
        out.append(replace(style, text=text[at:]))
        return [span for span in out if span.text or span.cite]


def _restyle(style: Span, token: Token) -> Span:
    opening = token.type.endswith("_open")
    name = token.type.rsplit("_", 1)[0]
    if name == "strong":
        return replace(style, bold=opening)
    if name == "em":
        return replace(style, italic=opening)
    if name == "s":
        return replace(style, strike=opening)
    if name == "link":
        href = str(token.attrGet("href") or "") if opening else ""
        return replace(style, href=href if href.startswith(_LINKABLE) else "")
    return style


def _merge(spans: list[Span]) -> list[Span]:
    """Neighbouring spans of one style joined, so a renderer writes fewer runs."""
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if (
            last
            and not (span.cite or last.cite)
            and replace(last, text="") == replace(span, text="")
        ):
            merged[-1] = replace(last, text=last.text + span.text)
        else:
            merged.append(span)
    return merged


def _quoted(block: Block, quote: bool) -> Block:
    return replace(block, quote=True) if quote else block


# --- Markdown with the document's numbers ----------------------------------------------------


def _renumbered_markdown(content: str, numbering: _Numbering) -> str:
    """The answer's Markdown with each `[n]` written as the footnote `[^N]` of its document
    number; lines of fenced or indented code and inline code spans are left as written."""
    code_lines: set[int] = set()
    for token in MARKDOWN.parse(content):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
    lines = content.split("\n")
    return "\n".join(
        line if at in code_lines else _renumber_line(line, numbering)
        for at, line in enumerate(lines)
    )


_INLINE_CODE = re.compile(r"(`+)(?:.+?)\1")


def _renumber_line(line: str, numbering: _Numbering) -> str:
    out: list[str] = []
    at = 0
    for code in _INLINE_CODE.finditer(line):
        out.append(_renumber(line[at : code.start()], numbering))
        out.append(code.group(0))
        at = code.end()
    out.append(_renumber(line[at:], numbering))
    return "".join(out)


def _renumber(text: str, numbering: _Numbering) -> str:
    def replace(match: re.Match[str]) -> str:
        numbers = [numbering.number(int(n)) for n in re.split(r"[,;]", match.group(1))]
        return "".join(f"[^{n}]" for n in dict.fromkeys(numbers) if n)

    return re.sub(r"\s*" + CITATION_MARKER.pattern, replace, text)
