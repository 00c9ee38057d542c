"""services.viewer: a reader opens a document at the cited passage; nobody else learns anything."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, Document, User
from lumikb_app.domain.enums import DocumentStatus, KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import viewer
from lumikb_app.services.documents.chunking import chunk
from lumikb_app.services.documents.documents import NOT_FOUND, blob_key, open_original
from lumikb_app.services.documents.parsing import MARKDOWN, PDF, parse
from lumikb_app.services.knowledge_bases import kbs
from tests.pdf_factory import HANDBOOK_PASSAGE, handbook_pdf

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
GUIDE = (
    "# Guide\n\n## Laptops\n\nIT hands out laptops on the first morning.\n\n"
    "## Access\n\nRequest staging access through the service desk.\n\n"
    "## Holidays\n\nBook them early.\n"
)


def store_document(owner: User, kb_id: str, name: str, data: bytes, mime: str) -> str:
    """A ready document with its chunks, as the pipeline leaves it (without the vectors)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        parsed = parse(path, mime)
    drafts = chunk(parsed, chunk_tokens=64, overlap_tokens=8)
    with get_container().db.session() as session:
        doc = Document(
            kb_id=kb_id, name=name, mime_type=mime, size_bytes=len(data), uploaded_by=owner.id,
            status=DocumentStatus.ready.value, page_count=parsed.page_count,
            chunk_count=len(drafts), title=parsed.title,
        )  # fmt: skip
        doc.blob_key = blob_key(kb_id, doc.id, 1)
        get_container().blobs.put(doc.blob_key, io.BytesIO(data), length=len(data))
        session.add(doc)
        session.flush()
        session.add_all(
            Chunk(
                document_id=doc.id, kb_id=kb_id, ordinal=d.ordinal, text=d.text,
                page_start=d.page_start, page_end=d.page_end, char_start=d.char_start,
                char_end=d.char_end, heading_path=list(d.heading_path),
            )
            for d in drafts
        )  # fmt: skip
        session.commit()
        return doc.id


def chunk_with(document_id: str, words: str) -> Chunk:
    with get_container().db.session() as session:
        rows = session.exec(select(Chunk).where(Chunk.document_id == document_id)).all()
    return next(c for c in rows if words in c.text)


@pytest.fixture
def library(migrated) -> dict:
    """Owner's KB with the handbook PDF and a Markdown guide; a READ member; an outsider."""
    with get_container().db.session() as session:
        owner = auth.create_user(
            session, email="o@example.com", display_name="O", password=PASSWORD
        )
        reader = auth.create_user(
            session, email="r@example.com", display_name="R", password=PASSWORD
        )
        outsider = auth.create_user(
            session, email="x@example.com", display_name="X", password=PASSWORD
        )
        session.commit()
    kb = kbs.create_kb(owner, "Handbook")
    grants.set_grant(owner, kb.id, reader.email, KbRole.READ)
    pdf_id = store_document(owner, kb.id, "handbook.pdf", handbook_pdf(), PDF)
    guide_id = store_document(owner, kb.id, "guide.md", GUIDE.encode(), MARKDOWN)
    return {"owner": owner, "reader": reader, "outsider": outsider, "kb": kb, "pdf": pdf_id,
            "guide": guide_id}  # fmt: skip


def test_a_reader_opens_the_pdf_at_the_cited_page_with_the_passage_boxed(library):
    cited = chunk_with(library["pdf"], "hardware key")
    view = viewer.open_document(library["reader"], library["pdf"], cited.id)
    assert (view.name, view.kb_name, view.is_pdf, view.page_count) == (
        "handbook.pdf", "Handbook", True, 3,
    )  # fmt: skip
    assert view.page == 2 and view.passage.page_start == 2
    assert HANDBOOK_PASSAGE in " ".join(view.passage.text.split())
    assert view.boxes and all(0 <= b.top < 15 and b.left < 15 for b in view.boxes)
    assert view.text is None


def test_other_pages_show_no_highlight_and_a_bad_page_falls_back_to_the_passage(library):
    cited = chunk_with(library["pdf"], "hardware key")
    third = viewer.open_document(library["reader"], library["pdf"], cited.id, page=3)
    assert third.page == 3 and third.boxes == [] and third.passage.chunk_id == cited.id
    for asked in (0, 4, 10_000):
        assert viewer.open_document(library["reader"], library["pdf"], cited.id, asked).page == 2
    assert viewer.open_document(library["reader"], library["pdf"]).page == 1


def test_a_chunk_of_another_document_is_ignored(library):
    foreign_chunk = chunk_with(library["guide"], "service desk")
    view = viewer.open_document(library["reader"], library["pdf"], foreign_chunk.id)
    assert view.passage is None and view.boxes == [] and view.page == 1


def test_a_text_document_shows_its_text_with_the_passage_marked(library):
    cited = chunk_with(library["guide"], "service desk")
    view = viewer.open_document(library["reader"], library["guide"], cited.id)
    assert not view.is_pdf and view.page is None and view.boxes == []
    assert view.text.passage == cited.text
    assert "first morning" in view.text.before and "Book them early." in view.text.after
    shown = view.text.before + view.text.passage + view.text.after
    assert shown.startswith("Guide") and shown.count("Request staging access") == 1


def test_a_text_document_without_a_citation_is_shown_whole(library):
    view = viewer.open_document(library["reader"], library["guide"])
    assert view.text.before == view.text.passage == "" and "Book them early." in view.text.after


def test_the_page_image_is_a_png_of_the_page(library):
    png = viewer.render_page_png(library["reader"], library["pdf"], 2, scale=1.0)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == 612 and int.from_bytes(png[20:24], "big") == 792


@pytest.mark.parametrize("page", [0, 4, -1])
def test_a_page_out_of_range_is_not_found(library, page):
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        viewer.render_page_png(library["reader"], library["pdf"], page)


def test_a_text_document_has_no_page_images(library):
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        viewer.render_page_png(library["reader"], library["guide"], 1)


def test_an_outsider_gets_the_same_answer_as_for_a_missing_document(library):
    outsider, cited = library["outsider"], chunk_with(library["pdf"], "hardware key")
    for document_id in (library["pdf"], library["guide"], "no-such-document"):
        with pytest.raises(PermissionDenied) as opened:
            viewer.open_document(outsider, document_id, cited.id)
        with pytest.raises(PermissionDenied) as image:
            viewer.render_page_png(outsider, document_id, 1)
        with pytest.raises(PermissionDenied) as download:
            open_original(outsider, document_id)
        assert str(opened.value) == str(image.value) == str(download.value) == NOT_FOUND


def test_a_document_being_deleted_is_not_found_and_one_in_progress_says_so(library):
    with get_container().db.session() as session:
        doc = session.get(Document, library["pdf"])
        doc.status = DocumentStatus.deleting.value
        session.add(doc)
        guide = session.get(Document, library["guide"])
        guide.status = DocumentStatus.embedding.value
        session.add(guide)
        session.commit()
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        viewer.open_document(library["owner"], library["pdf"])
    with pytest.raises(viewer.DocumentNotReady):
        viewer.open_document(library["owner"], library["guide"])
    with pytest.raises(PermissionDenied, match=NOT_FOUND):
        viewer.open_document(library["outsider"], library["guide"])
