"""Turn an uploaded file into a ParsedDocument, deciding its type from the content.

``detect_type`` looks at the first bytes (``HEAD_BYTES`` is enough) and returns a MIME type;
``parse`` reads the file with the parser for that type. Every failure a person should hear
about is a ``ParseError`` whose ``reason`` is a plain sentence.

Format modules (and their libraries) are imported only when a file of that type is parsed.
"""

from __future__ import annotations

import importlib
import re
import struct
from pathlib import Path

from lumikb_app.domain.documents import ParsedDocument

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN = "text/markdown"
RST = "text/x-rst"
HTML = "text/html"
TEXT = "text/plain"
EMPTY = "application/x-empty"
OLE_STORAGE = "application/x-ole-storage"
BINARY = "application/octet-stream"

# The types this app reads: the parser module's name, also the short key of the search filter
# and the REST API; and what a person calls the type.
SUPPORTED_TYPES = {
    PDF: "pdf",
    DOCX: "docx",
    MARKDOWN: "markdown",
    RST: "rst",
    HTML: "html",
    TEXT: "text",
}
TYPE_LABELS = {
    PDF: "PDF",
    DOCX: "Word",
    MARKDOWN: "Markdown",
    RST: "reStructuredText",
    HTML: "HTML",
    TEXT: "Plain text",
}
HEAD_BYTES = 64 * 1024
# A password-protected DOCX/XLSX/PPTX is an OLE compound file holding this stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE_STORAGE),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!", "application/vnd.rar"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
    (b"{\\rtf", "application/rtf"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3"),
)
_TYPE_NAMES = {
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/tiff": "a TIFF image",
    OLE_STORAGE: "an old Microsoft Office file (.doc/.xls/.ppt); save it as DOCX or PDF",
    "application/zip": "a ZIP archive",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel workbook",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "a PowerPoint presentation",
    "application/vnd.oasis.opendocument": "an OpenDocument file; save it as DOCX or PDF",
    "application/rtf": "an RTF document; save it as DOCX or PDF",
    "application/xml": "an XML file",
    BINARY: "data in an unknown format",
}
_ZIP_ENTRY_KINDS = (
    ("word/", DOCX),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_TEXT_EXTENSIONS = {
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".mdown": MARKDOWN,
    ".mkd": MARKDOWN,
    ".rst": RST,
    ".rest": RST,
    ".htm": HTML,
    ".html": HTML,
    ".xhtml": HTML,
    ".txt": TEXT,
    ".text": TEXT,
}
_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.I | re.S,
)
_HTML_TAG = re.compile(r"<(?:p|div|span|a|h[1-6]|ul|ol|li|table|br|img)\b[^>]*>", re.I)
_MARKDOWN_HINT = re.compile(r"^(?:#{1,6} \S|```|~~~|\s*[-*+] \[[ x]\] )|\]\([^)]+\)", re.M)
_RST_HINT = re.compile(
    r"^(?:\.\. [\w-]+::|\.\. _[^:]+:|([=\-~^\"'`#*+])\1{3,}\s*$|PEP: \d+\s*$)", re.M
)


class ParseError(Exception):
    """A file that cannot be turned into text; ``reason`` is written for the person who uploaded it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def detect_type(head: bytes, filename: str) -> str:
    """The MIME type of a file from its first bytes; the extension only picks among text types."""
    if not head:
        return EMPTY
    binary = _binary_type(head)
    if binary:
        return binary
    text = _as_text(head)
    if text is None:
        # Acrobat accepts a header anywhere in the first 1024 bytes, after binary junk.
        return PDF if b"%PDF-" in head[:1024] else BINARY
    return _text_type(text, Path(filename).suffix.lower())


def detect_path_type(path: Path, filename: str | None = None) -> str:
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    return detect_type(head, filename or path.name)


def describe_type(mime_type: str) -> str:
    """A few words a person understands for a MIME type this app does not read."""
    return _TYPE_NAMES.get(mime_type, mime_type)


def type_label(mime_type: str) -> str:
    """A document's type in a word or two: "PDF", "Word"; "PNG image" for one this app cannot read."""
    if mime_type in TYPE_LABELS:
        return TYPE_LABELS[mime_type]
    words = describe_type(mime_type).split(";")[0].strip()
    for article in ("a ", "an "):
        if words.startswith(article):
            words = words[len(article) :]
    return words[:1].upper() + words[1:]


def parse(path: Path, mime_type: str) -> ParsedDocument:
    """Parse ``path`` as ``mime_type`` (from ``detect_type``).

    Bad input raises ParseError with a reason for people; any other exception is a bug."""
    if path.stat().st_size == 0 or mime_type == EMPTY:
        raise ParseError("The file is empty.")
    module_name = SUPPORTED_TYPES.get(mime_type)
    if mime_type == OLE_STORAGE and _contains(path, _ENCRYPTED_PACKAGE):
        raise ParseError("This Office document is password-protected.")
    if module_name is None:
        raise ParseError(f"This file type is not supported: {describe_type(mime_type)}.")
    module = importlib.import_module(f"{__name__}.{module_name}")
    try:
        document: ParsedDocument = module.parse(path)
    except RecursionError as error:
        raise ParseError("The document is nested too deeply to be read.") from error
    if not document.full_text.strip():
        raise ParseError("The document contains no text.")
    return document


def _contains(path: Path, needle: bytes, block_size: int = 1024 * 1024) -> bool:
    """Whether the file contains ``needle``, reading it in blocks."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(block_size):
            if needle in tail + block:
                return True
            tail = block[-len(needle) :]
    return False


def _binary_type(head: bytes) -> str | None:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(head)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, mime in _BINARY_SIGNATURES:
        if head.startswith(signature) and not (signature == b"MZ" and _as_text(head) is not None):
            return mime
    return None


def _zip_type(head: bytes) -> str:
    names = _zip_entry_names(head)
    if "mimetype" in names:
        return "application/vnd.oasis.opendocument"
    if "[Content_Types].xml" in names or "word/document.xml" in names:
        for prefix, mime in _ZIP_ENTRY_KINDS:
            if any(name.startswith(prefix) for name in names):
                return mime
    return "application/zip"


def _zip_entry_names(head: bytes) -> set[str]:
    """Names from the local file headers in ``head`` (the central directory may lie beyond it)."""
    names, position = set(), 0
    while (position := head.find(b"PK\x03\x04", position)) != -1 and position + 30 <= len(head):
        name_length = struct.unpack_from("<H", head, position + 26)[0]
        raw = head[position + 30 : position + 30 + name_length]
        names.add(raw.decode("utf-8", "replace"))
        position += 4
    return names


def _as_text(head: bytes) -> str | None:
    """The head decoded as text, or None when it looks binary."""
    from lumikb_app.services.documents.parsing.text import decode_head

    text = decode_head(head)
    if text is None:
        return None
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    return None if controls > max(2, len(text[:4096]) // 100) else text


def _text_type(text: str, extension: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if _HTML_START.match(stripped[:4096]):
        return HTML
    by_extension = _TEXT_EXTENSIONS.get(extension)
    if by_extension == HTML:
        return HTML if _HTML_TAG.search(text) else TEXT
    if by_extension:
        return by_extension
    if stripped.startswith("<?xml"):
        return "application/xml"
    return _sniff_text_type(text)


def _sniff_text_type(text: str) -> str:
    if _RST_HINT.search(text):
        return RST
    if _MARKDOWN_HINT.search(text):
        return MARKDOWN
    if len(_HTML_TAG.findall(text)) >= 3:
        return HTML
    return TEXT
