"""Plain text: decoding with fallbacks, then paragraphs separated by blank lines."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from lumikb_app.domain.documents import ParsedBlock, ParsedDocument

MIME_TYPE = "text/plain"
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def parse(path: Path) -> ParsedDocument:
    text = read_text(path)
    blocks = [ParsedBlock(paragraph) for paragraph in paragraphs(text)]
    return ParsedDocument(tuple(blocks), page_count=None, title=None, mime_type=MIME_TYPE)


def read_text(path: Path) -> str:
    return normalize(decode_text(path.read_bytes()))


def paragraphs(text: str) -> list[str]:
    """Non-empty blank-line separated paragraphs, trailing spaces removed from each line."""
    parts = (_strip_lines(part) for part in _BLANK_LINES.split(text))
    return [part for part in parts if part]


def decode_text(data: bytes) -> str:
    """Decode bytes of unknown encoding: BOM, then UTF-8, then a detected charset, then cp1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_guess(data)


def decode_head(head: bytes) -> str | None:
    """The first bytes of a file as text, or None when they are not text (NUL bytes, bad UTF-16)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return codecs.getincrementaldecoder(encoding)("replace").decode(head)
    if b"\x00" in head:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return _decode_guess(head)


def normalize(text: str) -> str:
    """Unix newlines, NFC, no control characters other than tab and newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def _strip_lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip()


def _decode_guess(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset-normalizer comes with requests
        return data.decode("cp1252", errors="replace")
    best = from_bytes(data[: 256 * 1024]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")
