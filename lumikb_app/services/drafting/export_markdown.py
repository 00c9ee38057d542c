"""A draft as Markdown: the title, a heading per section (a questionnaire's question under its
group), each answer's own Markdown (code blocks kept as written), its citations as footnote
references (`[^3]`) with the footnotes at the end naming the document, page, knowledge base
and the absolute viewer link; GitHub, GitLab and Pandoc show them as numbered notes.
"""

from __future__ import annotations

import re

from lumikb_app.services.drafting.export_blocks import (
    MARKDOWN,
    NOT_ANSWERED_LABEL,
    NOT_ANSWERED_TEXT,
    NOT_COVERED_LABEL,
    ExportDocument,
    ExportSection,
    SourceNote,
)

MEDIA_TYPE = "text/markdown; charset=utf-8"
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def render_markdown(document: ExportDocument) -> bytes:
    lines = [f"# {_escape(document.title)}", ""]
    if document.subtitle:
        lines += [f"_{_escape(document.subtitle)}_", ""]
    if document.note:
        lines += [f"> {_escape(document.note)}", ""]
    group = ""
    for section in document.sections:
        if section.group and section.group != group:
            lines += [f"## {_escape(section.group)}", ""]
        group = section.group or group
        lines += _section(section, 3 if section.question else 2)
    notes = document.notes
    if notes:
        lines += ["---", "", *(_footnote(note) for note in notes)]
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _section(section: ExportSection, level: int) -> list[str]:
    title = f"{section.ref} – {section.heading}" if section.ref else section.heading
    lines = [f"{'#' * level} {_escape(title)}", ""]
    if section.kind == "not_covered":
        return lines + [f"> **{NOT_COVERED_LABEL}.**", ">", f"> {_body(section)}", ""]
    if section.kind == "empty":
        return lines + [f"> **{NOT_ANSWERED_LABEL}.**", ">", f"> {NOT_ANSWERED_TEXT}", ""]
    return lines + [_demote_headings(section.text, level), ""]


def _body(section: ExportSection) -> str:
    return " ".join(span.text for block in section.blocks for span in block.spans)


def _footnote(note: SourceNote) -> str:
    link = f" <{note.link}>" if note.link else ""
    return f"[^{note.number}]: {_escape(note.where)}.{link}"


def _demote_headings(text: str, level: int) -> str:
    """An answer's own `# Heading` lines sit below the section's heading (at most level 6)."""
    lines = text.split("\n")
    for token in MARKDOWN.parse(text):
        if token.type == "heading_open" and token.markup.startswith("#") and token.map:
            at = token.map[0]
            marks = "#" * min(len(token.markup) + level, 6)
            lines[at] = re.sub(r"^(\s{0,3})#{1,6}", rf"\g<1>{marks}", lines[at])
    return "\n".join(lines)


def _escape(text: str) -> str:
    """One line of text that Markdown shows as written."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))
