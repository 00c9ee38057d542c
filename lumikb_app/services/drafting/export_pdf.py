"""A draft as a PDF (fpdf2): title, a heading per section (a questionnaire's question under
its group), the answer's paragraphs, lists, tables and code, each citation a superscript
number linked to the section's numbered sources, which name the document, page and knowledge
base and link to the passage in the viewer. Pages are numbered in the footer.

Font: DejaVu Sans (every script Europe uses, Greek, Cyrillic, arrows, typographic quotes),
from the system (`fonts-dejavu-core`, installed with Debian's LibreOffice and in the image).
No PyPI package installed here ships a Unicode text face (only icon fonts and a Latin display
face). Without DejaVu the export still works with the PDF's built-in Helvetica and Courier,
which know only Latin-1: other characters are written as their closest ASCII or "?", and the
log says which package to install.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.util import Padding

from lumikb_app.services.drafting.export_blocks import (
    NOT_ANSWERED_LABEL,
    NOT_COVERED_LABEL,
    Block,
    ExportDocument,
    ExportSection,
    Span,
)

MEDIA_TYPE = "application/pdf"
log = logging.getLogger(__name__)

FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu",  # Fedora, Alpine
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts",
)
FACES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
MONO = "DejaVuSansMono.ttf"

INK = (33, 37, 41)
MUTED = (110, 110, 110)
HEADING = (31, 73, 125)
LINK = (5, 99, 193)
CODE_FILL = (242, 242, 242)
NOTE_FILL = (255, 244, 206)
NOTE_RULE = (201, 162, 39)
NOTE_INK = (122, 90, 0)
LINE = 5.2  # mm, body line height
LINE_FACTOR = 1.45  # the same, as a multiple of the 10 pt body font
INDENT = 6.0  # mm per list level
_ASCII = str.maketrans({"—": "-", "–": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...",
                        "→": "->", "←": "<-", "•": "-", "·": "-", "\u00a0": " "})  # fmt: skip


@dataclass(frozen=True)
class Fonts:
    body: str
    mono: str
    unicode: bool


def find_dejavu() -> dict[str, Path] | None:
    """The DejaVu files by style ("" B I BI and "mono"), or None when a face is missing."""
    for folder in map(Path, FONT_DIRS):
        files = {style: folder / name for style, name in {**FACES, "mono": MONO}.items()}
        if all(path.is_file() for path in files.values()):
            return files
    return None


def render_pdf(document: ExportDocument) -> bytes:
    pdf = _Pdf(document.title)
    fonts = _fonts(pdf)
    writer = _Writer(pdf, fonts)
    writer.front(document)
    group = ""
    for section in document.sections:
        if section.group and section.group != group:
            writer.heading(section.group, 15)
        group = section.group or group
        writer.section(section, 12.5 if section.question else 15)
    return bytes(pdf.output())


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.draft_title = title
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_creator("LumiKB")
        self.clean: Callable[[str], str] = str
        self.body_family = "helvetica"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body_family, "", 8)
        self.set_text_color(*MUTED)
        text = self.clean(f"{self.draft_title} · page {self.page_no()} of {{nb}}")
        self.cell(0, 5, text, align="C")


def _fonts(pdf: _Pdf) -> Fonts:
    files = find_dejavu()
    if files is None:
        log.warning(
            "DejaVu fonts not found in %s (Debian: apt-get install fonts-dejavu-core); PDF "
            "exports use Helvetica and write characters outside Latin-1 as ASCII or '?'.",
            ", ".join(FONT_DIRS),
        )
        pdf.clean = _latin1
        pdf.set_font("helvetica", "", 10)
        return Fonts("helvetica", "courier", unicode=False)
    for style in FACES:
        pdf.add_font("dejavu", style, str(files[style]))
    pdf.add_font("dejavu-mono", "", str(files["mono"]))
    pdf.body_family = "dejavu"
    pdf.set_font("dejavu", "", 10)
    return Fonts("dejavu", "dejavu-mono", unicode=True)


def _latin1(text: str) -> str:
    """Text the built-in fonts can show: Latin-1 kept, "ő" as "o", "—" as "-", else "?"."""
    out = []
    for char in text.translate(_ASCII):
        if ord(char) < 256:
            out.append(char)
            continue
        parts = unicodedata.normalize("NFKD", char)
        out.append(
            "".join(c for c in parts if ord(c) < 256 and not unicodedata.combining(c)) or "?"
        )
    return "".join(out)


class _Writer:
    def __init__(self, pdf: _Pdf, fonts: Fonts) -> None:
        self.pdf = pdf
        self.fonts = fonts
        self.targets: dict[int, int] = {}  # citation number -> internal link to its note

    def front(self, document: ExportDocument) -> None:
        pdf = self.pdf
        pdf.add_page()
        self._font("B", 20, HEADING)
        pdf.multi_cell(
            0, 9, self.text(document.title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        if document.subtitle:
            self._font("", 10, MUTED)
            pdf.multi_cell(
                0, 5, self.text(document.subtitle), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        if document.note:
            pdf.ln(2)
            self._font("I", 9.5, MUTED)
            pdf.multi_cell(
                0, 4.8, self.text(document.note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
        pdf.ln(3)

    def heading(self, text: str, size: float) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a heading with what follows it
            pdf.add_page()
        pdf.ln(2.5)
        self._font("B", size, HEADING)
        pdf.multi_cell(
            0, size * 0.5, self.text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(1.2)

    def section(self, section: ExportSection, size: float) -> None:
        self.heading(f"{section.ref} – {section.heading}" if section.ref else section.heading, size)
        self.targets = {note.number: self.pdf.add_link() for note in section.notes}
        if section.kind != "answer":
            self._marked(section)
            return
        for block in section.blocks:
            self.block(block)
        self._notes(section)

    def _marked(self, section: ExportSection) -> None:
        pdf = self.pdf
        label = NOT_COVERED_LABEL if section.kind == "not_covered" else NOT_ANSWERED_LABEL
        top = pdf.get_y()
        pdf.set_fill_color(*NOTE_FILL)
        self._font("B", 9.5, NOTE_INK)
        pdf.multi_cell(
            0,
            LINE,
            self.text(label.upper()),
            fill=True,
            padding=Padding(1.5, 3, 0, 4),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        body = " ".join(span.text for block in section.blocks for span in block.spans)
        self._font("", 10, INK)
        pdf.multi_cell(
            0,
            LINE,
            self.text(body),
            fill=True,
            padding=Padding(0, 3, 1.5, 4),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_fill_color(*NOTE_RULE)
        pdf.rect(pdf.l_margin, top, 1.2, pdf.get_y() - top, style="F")
        pdf.ln(2)

    def block(self, block: Block) -> None:
        if block.kind == "heading":
            self.heading(_plain(block.spans, self.fonts.unicode), max(10.5, 13 - block.level))
        elif block.kind == "code":
            self._code(block)
        elif block.kind == "table":
            self._table(block)
        elif block.kind == "rule":
            y = self.pdf.get_y() + 2
            self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
            self.pdf.ln(5)
        elif block.kind == "item":
            self._item(block)
        else:
            self._paragraph(block.spans, quote=block.quote)

    def _paragraph(self, spans: tuple[Span, ...], quote: bool = False) -> None:
        self.flow(spans, indent=INDENT if quote else 0, italic=quote, after=1.8)

    def _item(self, block: Block) -> None:
        self.flow(block.spans, indent=INDENT * (block.depth + 1), bullet=block.marker, after=0.8)

    def flow(
        self,
        spans: tuple[Span, ...],
        indent: float = 0,
        bullet: str = "",
        italic: bool = False,
        after: float = 0,
    ) -> None:
        """One paragraph of styled spans, wrapped as a whole by fpdf2's text regions, so a
        citation mark stays on the line of the word it follows."""
        self._font("", 10, INK)
        with (
            self.pdf.text_columns(line_height=LINE_FACTOR) as columns,
            columns.paragraph(
                indent=indent,
                bullet_string=self.text(bullet),
                bullet_r_margin=1.8,
                bottom_margin=after,
            ) as paragraph,
        ):
            self.spans(spans, paragraph, italic)

    def _code(self, block: Block) -> None:
        pdf = self.pdf
        margin = pdf.l_margin
        pdf.set_left_margin(margin + INDENT * block.depth)
        pdf.set_x(pdf.l_margin)
        pdf.set_fill_color(*CODE_FILL)
        pdf.set_font(self.fonts.mono, "", 8.5)
        pdf.set_text_color(*INK)
        text = self.text(block.text.replace("\t", "    "))
        pdf.multi_cell(
            0,
            4.2,
            text,
            fill=True,
            align="L",
            padding=(2, 3),
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_left_margin(margin)
        pdf.ln(2.5)

    def _table(self, block: Block) -> None:
        pdf = self.pdf
        self._font("", 9.5, INK)
        pdf.set_fill_color(255, 255, 255)  # the table starts from the current style
        with pdf.table(
            v_align="TOP",
            first_row_as_headings=True,
            line_height=4.8,
            text_align="LEFT",
            headings_style=_heading_style(self.fonts.body),
            padding=1.5,
        ) as table:
            for cells in block.rows:
                row = table.row()
                for spans in cells:
                    row.cell(self.text(_plain(spans, self.fonts.unicode)))
        pdf.ln(3)

    def _notes(self, section: ExportSection) -> None:
        if not section.notes:
            return
        pdf = self.pdf
        pdf.ln(0.5)
        self._font("B", 8.5, MUTED)
        pdf.write(4.4, "Sources")
        pdf.ln(5)
        for note in section.notes:
            pdf.set_link(self.targets[note.number], y=pdf.get_y(), page=pdf.page)
            self._font("B", 8.5, INK)
            pdf.write(4.4, f"{note.number}  ")
            self._font("", 8.5, INK)
            pdf.write(4.4, self.text(f"{note.where}. "))
            if note.link:
                self._font("", 8.5, LINK)
                pdf.write(4.4, self.text(note.link), link=note.link, wrapmode=WrapMode.CHAR)
            pdf.ln(5)
        pdf.ln(2)

    def spans(self, spans: tuple[Span, ...], paragraph: Any, italic: bool = False) -> None:
        pdf = self.pdf
        previous = 0
        for span in spans:
            if span.cite:
                self._font("", 10, LINK)
                pdf.char_vpos = "SUP"
                mark = f",{span.cite}" if previous else str(span.cite)
                paragraph.write(mark, link=self.targets.get(span.cite))
                pdf.char_vpos = "LINE"
            elif span.code:
                pdf.set_font(self.fonts.mono, "", 9)
                pdf.set_text_color(*(LINK if span.href else INK))
                paragraph.write(self.text(span.text), link=span.href or None)
            else:
                style = ("B" if span.bold else "") + ("I" if span.italic or italic else "")
                self._font(style, 10, LINK if span.href else INK)
                paragraph.write(self.text(span.text), link=span.href or None)
            previous = span.cite

    def _font(self, style: str, size: float, color: tuple[int, int, int]) -> None:
        self.pdf.set_font(self.fonts.body, style, size)
        self.pdf.set_text_color(*color)

    def text(self, text: str) -> str:
        return text if self.fonts.unicode else _latin1(text)


_SUPERSCRIPT = str.maketrans("0123456789,", "⁰¹²³⁴⁵⁶⁷⁸⁹˒")


def _plain(spans: tuple[Span, ...], unicode: bool) -> str:
    """A table cell's text; its citations as superscript digits (or "[3]" in Latin-1)."""
    out = ""
    for at, span in enumerate(spans):
        if not span.cite:
            out += span.text
            continue
        mark = ("," if at and spans[at - 1].cite else "") + str(span.cite)
        out += mark.translate(_SUPERSCRIPT) if unicode else f"[{span.cite}]"
    return out


def _heading_style(family: str) -> object:
    from fpdf.fonts import FontFace

    return FontFace(family=family, emphasis="BOLD", fill_color=(231, 230, 230))
