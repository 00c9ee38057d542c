"""The document viewer: one version of a document at a page, with a cited passage located in it.

A link names the document by its stable id and may name a version (versions.py): the version
asked for, else the one its cited chunk belongs to, else the current one is shown, with the
newer version's number when one exists. A version the retention rule purged raises
VersionNotKept. A missing document, a forbidden one, one being deleted and an out-of-range page
all raise the same PermissionDenied(NOT_FOUND), so document ids cannot be probed. A PDF is shown
as rendered pages with the passage's boxes; any other document as its text with the passage
marked. Markdown, reStructuredText, HTML and Word documents are also rendered as formatted HTML
(render_blocks.py) from their parsed blocks: the original is parsed again, in a parser child
with a time limit, and kept parsed in memory (viewer_cache). When that parse fails or no longer
matches the stored passages (a parser changed since ingest), the plain text is shown instead.
Originals are copied once into a small local cache for PDFium (each row id is one immutable
version of a file).
"""

from __future__ import annotations

import logging
import math
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, KnowledgeBase, User
from lumikb_app.domain.documents import BLOCK_SEPARATOR, ParsedDocument
from lumikb_app.domain.enums import DocumentStatus, KbRole
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import pdf_pages, render_blocks, versions, viewer_cache
from lumikb_app.services.documents.documents import NOT_FOUND, _document_for, original_key
from lumikb_app.services.documents.parsing import DOCX, HTML, MARKDOWN, PDF, RST, processes
from lumikb_app.services.documents.pdf_pages import Box
from lumikb_app.services.platform.transactions import read_session

NOT_READY = "This document is still being processed; it can be viewed once it is ready."
MAX_TEXT_CHARS = 200_000  # a longer text document is shown as a window around the passage
MIN_SCALE, DEFAULT_SCALE, MAX_SCALE = 0.5, 1.5, 3.0
FORMATTED_TYPES = frozenset({MARKDOWN, RST, HTML, DOCX})  # shown formatted; plain text as is
VIEW_PARSE_SECONDS = 20  # a re-parse for the viewer gives up sooner than ingest's

log = logging.getLogger(__name__)


class DocumentNotReady(RuntimeError):
    pass


@dataclass(frozen=True)
class CitedPassage:
    chunk_id: str
    text: str
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    heading: str = ""


@dataclass(frozen=True)
class DocumentText:
    """A text document split around the passage: before + passage + after is what is shown."""

    before: str
    passage: str
    after: str
    truncated: bool = False
    html: str = ""  # the same part formatted (render_blocks), or "" to show the plain text


@dataclass(frozen=True)
class DocumentView:
    document_id: str  # the document's stable id (every version's)
    version_id: str  # the row of the version shown (its page images)
    name: str
    title: str | None
    kb_id: str
    kb_name: str
    mime_type: str
    version: int
    newer_version: int | None  # the current version's number, when it is newer than this one
    is_pdf: bool
    page_count: int | None
    page: int | None  # the page shown (PDF only)
    page_size: tuple[float, float] | None  # its width and height in points (PDF only)
    passage: CitedPassage | None
    boxes: list[Box] = field(default_factory=list)  # the passage on the page shown (PDF)
    text: DocumentText | None = None  # the document's text (not for PDF)


def open_document(
    user: User,
    document_id: str,
    chunk_id: str | None = None,
    page: int | None = None,
    version: int | None = None,
) -> DocumentView:
    """The version to show, the cited chunk (when it belongs to it) and the page to show: the
    one asked for when it exists, else the passage's first page, else page 1."""
    with read_session() as session:
        family, doc = _version_to_show(session, user, document_id, chunk_id, version)
        kb = session.get_one(KnowledgeBase, doc.kb_id)
        chunk = _chunk(session, doc, chunk_id)
        passage = _cited(chunk) if chunk else None
        text = None if doc.mime_type == PDF else _text(session, doc, chunk)
    shown = (family, doc, kb)
    if text is not None:
        text = replace(text, html=_formatted(doc, passage))
    if doc.mime_type != PDF:
        return _view(shown, passage, page=None, page_size=None, text=text)
    number = _page_to_show(doc.page_count or 1, page, passage)
    size = pdf_pages.page_size(_local_original(doc), number)
    return _view(shown, passage, page=number, page_size=size, boxes=_boxes(doc, passage, number))


def _version_to_show(
    session: Session, user: User, document_id: str, chunk_id: str | None, version: int | None
) -> tuple[versions.Family, Document]:
    family = versions.readable_family(session, user, document_id)
    if family is None:
        raise PermissionDenied(NOT_FOUND)
    wanted = (
        version if version is not None else versions.version_of_chunk(session, family, chunk_id)
    )
    doc = family.current if wanted is None else family.numbered(wanted)
    if doc is None and wanted is not None and family.was_purged(wanted):
        raise versions.VersionNotKept(family, wanted)
    if doc is None and wanted is not None:
        raise PermissionDenied(NOT_FOUND)
    if doc is None or doc.status not in versions.READABLE:
        raise DocumentNotReady(NOT_READY)
    return family, doc


def render_page_png(user: User, document_id: str, page: int, scale: float = DEFAULT_SCALE) -> bytes:
    """One page of a readable PDF as a PNG; NOT_FOUND for anything else."""
    with read_session() as session:
        doc, _ = _readable(session, user, document_id)
    if doc.mime_type != PDF or not 1 <= page <= (doc.page_count or 0):
        raise PermissionDenied(NOT_FOUND)
    return pdf_pages.render_png(_local_original(doc), page, _clamped(scale))


def _clamped(scale: float) -> float:
    return min(max(scale, MIN_SCALE), MAX_SCALE) if math.isfinite(scale) else DEFAULT_SCALE


def _readable(session: Session, user: User, version_id: str) -> tuple[Document, KnowledgeBase]:
    """One version by its row id (page images name the version they show)."""
    doc = _document_for(session, user, version_id[:64], KbRole.READ)
    if doc.status == DocumentStatus.deleting.value:
        raise PermissionDenied(NOT_FOUND)
    if doc.status not in versions.READABLE:
        raise DocumentNotReady(NOT_READY)
    return doc, session.get_one(KnowledgeBase, doc.kb_id)


def _chunk(session: Session, doc: Document, chunk_id: str | None) -> Chunk | None:
    chunk = session.get(Chunk, chunk_id[:64]) if chunk_id else None
    return chunk if chunk is not None and chunk.document_id == doc.id else None


def _cited(chunk: Chunk) -> CitedPassage:
    return CitedPassage(
        chunk_id=chunk.id,
        text=chunk.text,
        page_start=chunk.page_start,
        page_end=chunk.page_end,
        char_start=chunk.char_start,
        char_end=chunk.char_end,
        heading=" › ".join(chunk.heading_path),
    )


def _page_to_show(page_count: int, asked: int | None, passage: CitedPassage | None) -> int:
    if asked is not None and 1 <= asked <= page_count:
        return asked
    if passage is not None and passage.page_start and passage.page_start <= page_count:
        return passage.page_start
    return 1


def _boxes(doc: Document, passage: CitedPassage | None, page: int) -> list[Box]:
    if passage is None or passage.page_start is None:
        return []
    if not passage.page_start <= page <= (passage.page_end or passage.page_start):
        return []
    return pdf_pages.passage_boxes(_local_original(doc), page, passage.text)


def _view(shown: tuple[versions.Family, Document, KnowledgeBase], passage, **rest) -> DocumentView:
    family, doc, kb = shown
    current = family.current
    return DocumentView(
        document_id=family.stable_id,
        version_id=doc.id,
        name=doc.name,
        title=doc.title,
        kb_id=doc.kb_id,
        kb_name=kb.name,
        mime_type=doc.mime_type,
        version=doc.version,
        newer_version=current.version if current and current.version > doc.version else None,
        is_pdf=doc.mime_type == PDF,
        page_count=doc.page_count,
        passage=passage,
        **rest,
    )


def _text(session: Session, doc: Document, cited: Chunk | None) -> DocumentText:
    """The document's full text rebuilt from its chunks (they cover it, overlapping, with only
    whitespace between sections), split around the cited chunk."""
    chunks = session.exec(
        select(Chunk).where(Chunk.document_id == doc.id).order_by(col(Chunk.char_start))
    ).all()
    offset = chunks[0].char_start if chunks else 0
    parts: list[str] = []
    end = offset
    for chunk in chunks:
        if chunk.char_end <= end:
            continue
        if chunk.char_start > end:  # the whitespace between two sections, at its exact length
            gap = chunk.char_start - end
            parts.append(" " * max(0, gap - 2) + BLOCK_SEPARATOR[: min(gap, 2)])
            end = chunk.char_start
        parts.append(chunk.text[end - chunk.char_start :])
        end = chunk.char_end
    full = "".join(parts)
    if cited is None:
        return _window(full, 0, 0)
    return _window(full, cited.char_start - offset, cited.char_end - offset)


def _window(full: str, start: int, end: int) -> DocumentText:
    if len(full) <= MAX_TEXT_CHARS:
        return DocumentText(full[:start], full[start:end], full[end:])
    margin = max(0, (MAX_TEXT_CHARS - (end - start)) // 2)
    low, high = max(0, start - margin), min(len(full), end + margin)
    return DocumentText(full[low:start], full[start:end], full[end:high], truncated=True)


def _formatted(doc: Document, passage: CitedPassage | None) -> str:
    """The part of the document shown, as formatted HTML with the passage marked; "" when it
    is plain text or its blocks cannot be had as ingest chunked them."""
    if doc.mime_type not in FORMATTED_TYPES:
        return ""
    parsed = viewer_cache.parsed(doc.id, lambda: _parse_original(doc))
    if parsed is None:
        return ""
    full = parsed.full_text
    start, end = (passage.char_start, passage.char_end) if passage else (0, 0)
    if passage is not None and full[start:end] != passage.text:
        log.warning("viewer: document %s no longer parses as it was chunked", doc.id)
        return ""
    low, high = 0, len(full)
    if len(full) > MAX_TEXT_CHARS:
        margin = max(0, (MAX_TEXT_CHARS - (end - start)) // 2)
        low, high = max(0, start - margin), min(len(full), end + margin)
    spans = [span for span in parsed.spans if span.char_end > low and span.char_start < high]
    return render_blocks.render(spans, render_blocks.Range(start, end))


def _parse_original(doc: Document) -> ParsedDocument | None:
    limit = min(get_container().settings.PARSE_TIMEOUT_SECONDS, VIEW_PARSE_SECONDS)
    try:
        with tempfile.TemporaryDirectory(prefix="viewer-") as tmp:
            path = Path(tmp) / "original"
            with path.open("wb") as out:
                for block in get_container().blobs.get(original_key(doc)):
                    out.write(block)
            return processes.parse(path, doc.mime_type, timeout=limit)
    except Exception:  # any failure only costs the formatting: the plain text is shown
        log.warning("viewer: could not parse document %s for formatting", doc.id, exc_info=True)
        return None


def _local_original(doc: Document) -> Path:
    """A local copy of the original for PDFium (viewer_cache keeps a few)."""
    return viewer_cache.local_copy(doc.id, original_key(doc))
