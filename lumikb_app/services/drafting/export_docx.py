"""A draft as a Word document (python-docx): its title, a heading per section (a
questionnaire's question, under its group), the answer's paragraphs, lists, tables and code, and
every citation as a real Word footnote naming the document, page, knowledge base and a link to
the passage in the viewer.

Why real footnotes: a person sending the document expects Word's own notes, numbered by Word,
printed at the foot of the page the claim is on, kept when the text is edited or reflowed, and
listed in Word's and LibreOffice's footnote tools. python-docx 1.2 has no footnote API, so the
footnotes part (`word/footnotes.xml`, with Word's separator notes) is added through its oxml
layer, as python-docx itself adds its comments part. A source cited again in the same answer
points to its first note with a NOTEREF field (Word's cross-reference to a footnote), so each
answer has one note per source. An endnote-style "Sources" list was the alternative; it puts
the sources pages away from the answer they back.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml
from docx.oxml.table import CT_Tbl
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.story import StoryPart
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from lumikb_app.services.drafting.export_blocks import (
    NOT_ANSWERED_LABEL,
    NOT_COVERED_LABEL,
    Block,
    ExportDocument,
    ExportSection,
    SourceNote,
    Span,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LINK_COLOR = RGBColor(0x05, 0x63, 0xC1)
NOTE_FILL = "FFF4CE"  # the pale amber of a "not covered" section, with a darker rule beside it
NOTE_RULE = "C9A227"
CODE_FILL = "F2F2F2"
BODY_FONT = "Arial"  # on every Word install; LibreOffice shows the metric-equal Liberation Sans
CODE_FONT = "Courier New"  # LibreOffice shows it as the metric-equal Liberation Mono
INDENT = Cm(0.75)

_SEPARATORS = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"/>'
    "</w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
    "</w:footnotes>"
)


def render_docx(document: ExportDocument) -> bytes:
    doc = Document()
    _styles(doc)
    doc.core_properties.title = document.title
    writer = _Writer(doc, _Footnotes(doc))
    body = doc.element.body
    page_setup = body.sectPr
    body.remove(page_setup)  # so each block is appended, not searched in to sit before it
    writer.front(document)
    group = ""
    for section in document.sections:
        if section.group and section.group != group:
            writer.paragraph(section.group, "Heading 1")
        group = section.group or group
        writer.section(section, heading_level=2 if section.question else 1)
    body.append(page_setup)
    _footer(doc, document.title)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _styles(doc: WordDocument) -> None:
    styles = doc.styles
    for name in ("Normal", "Title", "Subtitle", *(f"Heading {n}" for n in range(1, 10))):
        _font(styles[name], BODY_FONT)
    styles["Normal"].font.size = Pt(10.5)
    text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = styles["Normal"]
    text.font.size = Pt(8.5)
    text.paragraph_format.space_after = Pt(2)
    mark = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    mark.font.superscript = True
    code = styles.add_style("Code Block", WD_STYLE_TYPE.PARAGRAPH)
    code.base_style = styles["Normal"]
    code.font.name = CODE_FONT
    code.font.size = Pt(8.5)
    code.paragraph_format.space_before = Pt(4)
    code.paragraph_format.space_after = Pt(8)
    code.paragraph_format.left_indent = Cm(0.25)
    _shade(code.element.get_or_add_pPr(), CODE_FILL)


class _Footnotes:
    """The document's footnotes part, created on the first citation."""

    def __init__(self, doc: WordDocument) -> None:
        self.doc = doc
        self._part: StoryPart | None = None
        self.ids = _style_ids(doc)

    @property
    def part(self) -> StoryPart:
        if self._part is None:
            element = parse_xml(_SEPARATORS)
            self._part = StoryPart(
                PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element, self.doc.part.package
            )
            self.doc.part.relate_to(self._part, RT.FOOTNOTES)
        return self._part

    def add(self, note: SourceNote) -> None:
        """Footnote `note.number`: "pep-0008.txt, page 3 (Engineering). <link>"."""
        footnote = OxmlElement("w:footnote")
        footnote.set(qn("w:id"), str(note.number))
        self.part.element.append(footnote)
        paragraph = Paragraph(OxmlElement("w:p"), self.part)
        footnote.append(paragraph._p)
        paragraph._p.get_or_add_pPr().style = self.ids["Footnote Text"]
        mark = paragraph.add_run()
        mark._r.get_or_add_rPr().style = self.ids["Footnote Reference"]
        mark._r.append(OxmlElement("w:footnoteRef"))
        paragraph.add_run(f" {note.where}.")
        if note.link:
            paragraph.add_run(" ")
            _hyperlink(paragraph, note.link, note.link)


class _Writer:
    def __init__(self, doc: WordDocument, footnotes: _Footnotes) -> None:
        self.doc = doc
        self.footnotes = footnotes
        self.notes: dict[int, SourceNote] = {}
        self.body = doc.element.body
        self.width = doc._block_width  # the text width, read while the page setup is there
        self.cited: set[int] = set()
        self.base_level = 1

    def front(self, document: ExportDocument) -> None:
        self.paragraph(document.title, "Title")
        if document.subtitle:
            self.paragraph(document.subtitle, "Subtitle")
        if document.note:
            run = self.paragraph().add_run(document.note)
            run.italic = True
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        """A new body paragraph; styles set by id (python-docx's lookup by name walks every
        style of the document each time)."""
        element = OxmlElement("w:p")
        self.body.append(element)
        paragraph = Paragraph(element, self.doc.part)
        if text:
            paragraph.add_run(text)
        if style:
            paragraph._p.get_or_add_pPr().style = self.footnotes.ids[style]
        return paragraph

    def section(self, section: ExportSection, heading_level: int) -> None:
        self.base_level = heading_level
        self.notes = {note.number: note for note in section.notes}
        heading = f"{section.ref} – {section.heading}" if section.ref else section.heading
        self.paragraph(heading, f"Heading {heading_level}")
        if section.kind != "answer":
            self._marked(section)
            return
        for block in section.blocks:
            self.block(block)

    def _marked(self, section: ExportSection) -> None:
        """A section left for a person: a shaded, ruled paragraph that says so plainly."""
        label = NOT_COVERED_LABEL if section.kind == "not_covered" else NOT_ANSWERED_LABEL
        paragraph = self.paragraph()
        run = paragraph.add_run(label.upper())
        run.bold = True
        run.font.color.rgb = RGBColor(0x7A, 0x5A, 0x00)
        run.add_break()
        for block in section.blocks:
            self.spans(paragraph, block.spans)
        pPr = paragraph._p.get_or_add_pPr()
        _shade(pPr, NOTE_FILL)
        borders = parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="24" w:space="6" '
            f'w:color="{NOTE_RULE}"/></w:pBdr>'
        )
        pPr.insert_element_before(borders, "w:shd", *_AFTER_SHADING)

    def block(self, block: Block) -> None:
        if block.kind == "heading":
            level = min(self.base_level + block.level, 9)
            self.spans(self.paragraph("", f"Heading {level}"), block.spans)
        elif block.kind == "code":
            self._code(block)
        elif block.kind == "table":
            self._table(block)
        elif block.kind == "rule":
            self.paragraph("—" * 3).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.kind == "item":
            self._item(block)
        else:
            style = "Quote" if block.quote else None
            self.spans(self.paragraph("", style), block.spans)

    def _item(self, block: Block) -> None:
        paragraph = self.paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent = INDENT * (block.depth + 1)
        fmt.space_after = Pt(3)
        if block.marker:
            fmt.first_line_indent = -INDENT
            fmt.tab_stops.add_tab_stop(INDENT * (block.depth + 1))
            paragraph.add_run(f"{block.marker}\t")
        self.spans(paragraph, block.spans)

    def _code(self, block: Block) -> None:
        paragraph = self.paragraph("", "Code Block")
        if block.depth:
            paragraph.paragraph_format.left_indent = INDENT * block.depth
        lines = block.text.split("\n")
        for at, line in enumerate(lines):
            run = paragraph.add_run(line.replace("\t", "    "))
            if at < len(lines) - 1:
                run.add_break()

    def _table(self, block: Block) -> None:
        columns = max(len(row) for row in block.rows)
        element = CT_Tbl.new_tbl(len(block.rows), columns, self.width)
        element.tblStyle_val = self.footnotes.ids["Table Grid"]
        self.body.append(element)
        table = Table(element, self.doc.part)
        for r, (row, cells) in enumerate(zip(block.rows, table.rows, strict=True)):
            for spans, cell in zip(row, cells.cells, strict=False):
                header = r == 0
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_before = Pt(2)
                paragraph.paragraph_format.space_after = Pt(2)
                self.spans(paragraph, spans, bold=header)
                if header:
                    _shade(cell._tc.get_or_add_tcPr(), "E7E6E6")
        self.paragraph()

    def spans(self, paragraph: Paragraph, spans: tuple[Span, ...], bold: bool = False) -> None:
        previous = 0
        for span in spans:
            if span.cite:
                if previous:  # "1,2", not "12"
                    paragraph.add_run(",").font.superscript = True
                self._cite(paragraph, span.cite)
            elif span.href:
                _hyperlink(paragraph, span.text, span.href)
            else:
                run = paragraph.add_run(span.text)
                run.bold = span.bold or bold or None
                run.italic = span.italic or None
                run.font.strike = span.strike or None
                if span.code:
                    run.font.name = CODE_FONT
                    run.font.size = Pt(9)
            previous = span.cite

    def _cite(self, paragraph: Paragraph, number: int) -> None:
        """The first mark of a source is its footnote; later ones refer back to it."""
        note = self.notes.get(number)
        if note is None:
            return
        bookmark = f"_RefNote{number}"
        if number in self.cited:
            field = parse_xml(
                f'<w:fldSimple {nsdecls("w")} w:instr=" NOTEREF {bookmark} \\f \\h ">'
                f'<w:r><w:rPr><w:rStyle w:val="{self.footnotes.ids["Footnote Reference"]}"/></w:rPr>'
                f"<w:t>{number}</w:t></w:r></w:fldSimple>"
            )
            paragraph._p.append(field)
            return
        self.cited.add(number)
        self.footnotes.add(note)
        paragraph._p.append(
            parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{number}" w:name="{bookmark}"/>')
        )
        run = paragraph.add_run()
        run._r.get_or_add_rPr().style = self.footnotes.ids["Footnote Reference"]
        reference = OxmlElement("w:footnoteReference")
        reference.set(qn("w:id"), str(number))
        run._r.append(reference)
        paragraph._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{number}"/>'))


def _footer(doc: WordDocument, title: str) -> None:
    """ "Title · page 3" at the foot of every page (Word's PAGE field)."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{title} · page ")
    paragraph._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:rPr>'
            '<w:color w:val="6E6E6E"/><w:sz w:val="16"/></w:rPr><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )
    for run in paragraph.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x6E, 0x6E, 0x6E)


def _style_ids(doc: WordDocument) -> dict[str, str]:
    names = ["Title", "Subtitle", "Quote", "Code Block", "Footnote Text", "Footnote Reference"]
    names += ["Table Grid", *(f"Heading {n}" for n in range(1, 10))]
    return {name: doc.styles[name].style_id for name in names}


def _font(style: Any, name: str) -> None:
    """The style's font for every script (the theme's fonts otherwise win for some)."""
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    run = paragraph.add_run(text)
    run.font.color.rgb = LINK_COLOR
    run.font.underline = True
    link.append(run._r)  # moves the run into the hyperlink
    paragraph._p.append(link)


# What may follow w:shd in a paragraph's or a cell's properties (the schema fixes the order).
_AFTER_SHADING = (
    "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    "w:noWrap", "w:tcMar", "w:tcFitText", "w:vAlign", "w:hideMark",
)  # fmt: skip


def _shade(properties: BaseOxmlElement, fill: str) -> None:
    shading = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
    properties.insert_element_before(shading, *_AFTER_SHADING)
