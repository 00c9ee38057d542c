"""reStructuredText with docutils (public domain / BSD-2-Clause): sections give the heading path.

docutils parses the whole PEP corpus at ~45 documents/s here (bench/parsing.py), fast enough
that a home-made underline parser is not worth its mistakes. File inclusion and raw output are
disabled (an uploaded file must never read the server's files). Sphinx-only directives keep
their content; Sphinx-only roles keep their text. A PEP header block ("PEP: 8", "Title: ...")
becomes the first block and gives the document title.

docutils' grid-table parser slows down with the square of a table's width (20 rows of 4,900
columns, 400 KB, took 47 s): a grid table wider than MAX_GRID_COLUMNS, or past the document's
MAX_GRID_AREA (columns x lines, over all its tables), is read as a literal block instead, which
keeps its text.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lumikb_app.domain.documents import BlockKind, ParsedBlock, ParsedDocument
from lumikb_app.services.documents.parsing import RST
from lumikb_app.services.documents.parsing.text import read_text

_HEADER_LINE = re.compile(r"^[A-Z][A-Za-z-]*:(?:\s|$)")
_ROLE_MARKUP = re.compile(r":[\w:.+-]+:`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`_{0,2}")
_SPHINX_DIRECTIVES = {
    "versionadded", "versionchanged", "deprecated", "seealso", "glossary", "productionlist",
    "centered", "hlist", "only", "tabularcolumns", "index", "toctree", "canonical-doc",
    "canonical-pypa-spec", "canonical-typing-spec", "rejected", "withdrawn", "superseded",
    "literalinclude", "highlight", "autofunction", "autoclass", "automodule", "py:function",
    "py:class", "py:method", "py:attribute", "py:data", "py:module", "c:function", "c:macro",
    "c:type", "c:member", "c:var", "function", "class", "method", "attribute", "data", "module",
    "describe",
}  # fmt: skip
_CONTAINERS = {
    "block_quote", "container", "topic", "sidebar", "compound", "admonition", "attention",
    "caution", "danger", "error", "hint", "important", "note", "tip", "warning", "figure",
    "legend", "footnote", "citation", "entry", "list_item", "definition", "field_body",
}  # fmt: skip
_SKIPPED = {
    "comment", "substitution_definition", "target", "raw", "pending", "image", "title",
    "docinfo", "decoration", "meta", "label",
}  # fmt: skip
_GRID_BORDER = re.compile(r"^([ \t]*)\+(?:[-=]+\+)+[ \t]*$")
MAX_GRID_COLUMNS = 100
MAX_GRID_AREA = 50_000  # about a second of docutils' time here
_setup_lock = threading.Lock()
_registered = False


def parse(path: Path) -> ParsedDocument:
    source = read_text(path)
    header, body = split_pep_header(source)
    blocks = [ParsedBlock("\n".join(header.lines))] if header.lines else []
    doctree = _doctree(bounded_grid_tables(body), path.name)
    blocks.extend(_Walker().walk(doctree))
    title = header.fields.get("Title") or _single_top_title(blocks)
    return ParsedDocument(tuple(blocks), page_count=None, title=title, mime_type=RST)


def bounded_grid_tables(source: str) -> str:
    """The source with each grid table past the bounds turned into a literal block."""
    lines, kept, area_left, at = source.split("\n"), [], MAX_GRID_AREA, 0
    while at < len(lines):
        border = _GRID_BORDER.match(lines[at])
        if border is None:
            kept.append(lines[at])
            at += 1
            continue
        indent, end = border.group(1), at + 1
        while end < len(lines) and lines[end][len(indent) : len(indent) + 1] in ("+", "|"):
            end += 1
        table = lines[at:end]
        columns = lines[at].count("+") - 1
        if columns <= MAX_GRID_COLUMNS and columns * len(table) <= area_left:
            area_left -= columns * len(table)
            kept.extend(table)
        else:
            kept.extend([f"{indent}::", "", *(f"{indent}   {line}" for line in table), ""])
        at = end
    return "\n".join(kept)


class PepHeader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.fields = {
            name: value.strip() for name, _, value in (line.partition(":") for line in lines)
        }


def split_pep_header(source: str) -> tuple[PepHeader, str]:
    """The RFC 822 style header a PEP starts with (continuation lines folded), and the rest."""
    head, separator, rest = source.lstrip("\n").partition("\n\n")
    raw_lines = head.split("\n")
    if not raw_lines or not raw_lines[0].startswith("PEP: "):
        return PepHeader([]), source
    lines: list[str] = []
    for line in raw_lines:
        if _HEADER_LINE.match(line):
            lines.append(line.strip())
        elif line[:1].isspace() and lines:
            lines[-1] = f"{lines[-1]} {line.strip()}"
        else:
            return PepHeader([]), source
    return PepHeader(lines), rest


def _single_top_title(blocks: list[ParsedBlock]) -> str | None:
    tops = {block.heading_path[0] for block in blocks if block.heading_path}
    return next(iter(tops)) if len(tops) == 1 else None


def _doctree(source: str, name: str):
    import docutils.frontend
    import docutils.parsers.rst
    import docutils.utils

    _register_sphinx_names()
    parser = docutils.parsers.rst.Parser()
    settings = docutils.frontend.get_default_settings(docutils.parsers.rst.Parser)
    for key, value in _SETTINGS.items():
        setattr(settings, key, value)
    document = docutils.utils.new_document(name, settings)
    parser.parse(source, document)
    return document


_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "syntax_highlight": "none",
}


def _register_sphinx_names() -> None:
    global _registered
    with _setup_lock:
        if _registered:
            return
        from docutils.parsers.rst import directives

        directive = _content_directive()
        for name in _SPHINX_DIRECTIVES:
            directives.register_directive(name, directive)
        _registered = True


def _content_directive():
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives

    class AnyOptions(dict):
        def __contains__(self, key) -> bool:
            return True

        def __getitem__(self, key):
            return directives.unchanged

    class ContentDirective(Directive):
        """A Sphinx directive docutils does not know: keep its argument and content as text."""

        optional_arguments = 1
        final_argument_whitespace = True
        has_content = True
        option_spec = AnyOptions()

        def run(self):
            container = nodes.container()
            if self.arguments and self.name not in ("highlight", "literalinclude", "toctree"):
                container += nodes.paragraph(text=self.arguments[0])
            if self.content and self.name != "toctree":
                self.state.nested_parse(self.content, self.content_offset, container)
            return [container]

    return ContentDirective


class _Walker:
    """Turns a docutils doctree into blocks, tracking the section path."""

    def __init__(self) -> None:
        self.blocks: list[ParsedBlock] = []
        self.path: tuple[str, ...] = ()

    def walk(self, node) -> list[ParsedBlock]:
        self._children(node)
        return self.blocks

    def _children(self, node) -> None:
        for child in node.children:
            self._visit(child)

    def _visit(self, node) -> None:
        name = node.tagname
        handler = getattr(self, f"_visit_{name}", None)
        if handler is not None:
            handler(node)
        elif name in _SKIPPED:
            return
        elif name in _CONTAINERS or name == "document":
            self._children(node)
        else:
            self._add(_text(node), "paragraph")

    def _add(self, text: str, kind: BlockKind) -> None:
        text = text.strip("\n")
        if text.strip():
            self.blocks.append(ParsedBlock(text, None, self.path, kind))

    def _visit_section(self, node) -> None:
        outer = self.path
        title = next((c for c in node.children if c.tagname == "title"), None)
        if title is not None:
            self.path = outer + (_text(title),)
            self._add(_text(title), "heading")
        self._children(node)
        self.path = outer

    def _visit_paragraph(self, node) -> None:
        self._add(_text(node), "paragraph")

    def _visit_literal_block(self, node) -> None:
        self._add(node.astext(), "code")

    _visit_doctest_block = _visit_literal_block

    def _visit_bullet_list(self, node) -> None:
        self._add("\n".join(_list_lines(node, 0)), "list")

    _visit_enumerated_list = _visit_bullet_list

    def _visit_definition_list(self, node) -> None:
        lines = []
        for item in node.children:
            term = " ".join(_text(c) for c in item.children if c.tagname in ("term", "classifier"))
            definition = " ".join(_text(c) for c in item.children if c.tagname == "definition")
            lines.append(f"{term}: {definition}" if definition else term)
        self._add("\n".join(lines), "list")

    def _visit_field_list(self, node) -> None:
        lines = [
            f"{_text(field[0])}: {_text(field[1])}" for field in node.children if len(field) > 1
        ]
        self._add("\n".join(lines), "list")

    def _visit_option_list(self, node) -> None:
        self._add(node.astext(), "list")

    def _visit_table(self, node) -> None:
        rows = []
        for row in node.findall(lambda n: n.tagname == "row"):
            cells = [_text(entry) for entry in row.children]
            if any(cells):
                rows.append(" | ".join(cells))
        self._add("\n".join(rows), "table")

    def _visit_line_block(self, node) -> None:
        self._add(node.astext(), "paragraph")

    def _visit_system_message(self, node) -> None:
        """An unknown directive: keep its body (the source minus the directive line) as code."""
        if "Unknown directive type" not in node.astext():
            return
        for literal in node.findall(lambda n: n.tagname == "literal_block"):
            lines = literal.astext().split("\n")[1:]
            self._add(_dedent(lines), "code")


def _list_lines(node, depth: int) -> list[str]:
    lines = []
    for item in node.children:
        marker = "  " * depth + "- "
        for child in item.children:
            if child.tagname in ("bullet_list", "enumerated_list"):
                lines.extend(_list_lines(child, depth + 1))
            elif child.tagname in ("literal_block", "doctest_block"):
                # code keeps its lines (one line would run "#!/usr/bin/python # -*- ..." together)
                indent = "  " * (depth + 1)
                lines.extend(indent + line for line in child.astext().split("\n") if line.strip())
                marker = indent
            else:
                lines.append(marker + _text(child))
                marker = "  " * (depth + 1)
    return lines


def _text(node) -> str:
    """A node's text on one line, with unresolved Sphinx role markup reduced to its text."""
    text = " ".join(node.astext().split())
    return _ROLE_MARKUP.sub(lambda m: (m.group(1) or m.group(2) or "").lstrip("~!"), text)


def _dedent(lines: list[str]) -> str:
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip("\n")
