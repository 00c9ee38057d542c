"""Deleting a document, or a whole KB, leaves nothing of it in DATA_DIR: the original's blob (and
its folders, which name the KB and the document), the viewer's local copy of a PDF, anything
else derived. The data directory is listed before the upload and after the purge."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, DraftTemplate, DraftTemplateVersion, KnowledgeBase
from lumikb_app.services.documents import documents, viewer
from lumikb_app.services.drafting import templates
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    wait_for,
    wait_until_settled,
    writer_and_kb,
)
from tests.pdf_factory import handbook_pdf, make_pdf

pytestmark = pytest.mark.integration

# The vector store's own files (segments, write-ahead log) change with every write; which
# points they hold is checked through the store itself.
VECTOR_STORE = "vectors"


def _listing(data_dir: Path) -> set[str]:
    return {
        path.relative_to(data_dir).as_posix()
        for path in data_dir.rglob("*")
        if path.relative_to(data_dir).parts[0] != VECTOR_STORE
    }


def _ready(user, kb_id: str, name: str, data: bytes) -> str:
    document_id = upload_bytes(user, kb_id, name, data).stored_id
    doc = wait_until_settled([document_id])[document_id]
    assert doc.status == "ready", doc.error
    return document_id


def _viewed(user, document_id: str) -> None:
    """Open the PDF in the viewer and render a page, as a reader following a citation does."""
    view = viewer.open_document(user, document_id)
    assert viewer.render_page_png(user, view.version_id, 1).startswith(b"\x89PNG")


def _vectors(document_id: str) -> int:
    vectors = get_container().vectors
    return sum(vectors.count(name, document_id=document_id) for name in vectors.list_collections())


def _row_gone(model, row_id: str) -> bool:
    with get_container().db.session() as session:
        return session.get(model, row_id) is None


def _resident(user, kb_id: str) -> None:
    """A document that stays, viewed once, so the stores' and caches' own folders exist."""
    _viewed(user, _ready(user, kb_id, "resident.pdf", make_pdf([["A document that stays."]])))


def test_a_deleted_document_leaves_nothing_in_the_data_directory(migrated):
    user, kb_id = writer_and_kb()
    _resident(user, kb_id)
    before = _listing(migrated)
    document_id = _ready(user, kb_id, "handbook.pdf", handbook_pdf())
    _viewed(user, document_id)
    during = _listing(migrated) - before
    assert any("viewer-cache" in path and document_id in path for path in during), during
    assert any(path.startswith("blobs/") and document_id in path for path in during), during

    documents.delete_document(user, document_id)
    wait_for(lambda: _row_gone(Document, document_id), timeout=120, what="the purge")

    assert _listing(migrated) == before
    assert _vectors(document_id) == 0


def test_a_deleted_kb_leaves_nothing_in_the_data_directory(migrated):
    user, kb_id = writer_and_kb()
    _resident(user, kb_id)
    before = _listing(migrated)
    other = kbs.create_kb(user, "Handbooks").id
    document_ids = [
        _ready(user, other, "handbook.pdf", handbook_pdf()),
        _ready(user, other, "notes.md", b"# Notes\n\nShort notes that belong to the KB.\n"),
    ]
    _viewed(user, document_ids[0])
    template = templates.create_template(
        user, "Handbook review", "", [{"title": "Scope", "instruction": ""}], kb_id=other
    )
    templates.update_template(
        user,
        template.id,
        name="Handbook review, v2",
        description="",
        sections=[{"title": "Scope", "instruction": "What the handbook covers."}],
        answer_length="medium",
        tone="neutral",
    )

    kbs.delete_kb(user, other)
    wait_for(lambda: _row_gone(KnowledgeBase, other), timeout=120, what="the KB's purge")

    left = _listing(migrated) - before
    assert not left, left  # no folder names the KB or its documents, no viewer copy remains
    assert all(_vectors(document_id) == 0 for document_id in document_ids)
    with get_container().db.session() as session:
        assert not session.exec(select(Document).where(Document.kb_id == other)).all()
        assert not session.exec(select(DraftTemplate).where(DraftTemplate.kb_id == other)).all()
        versions = select(DraftTemplateVersion).where(
            DraftTemplateVersion.template_id == template.id
        )
        assert not session.exec(versions).all()


def test_a_copy_the_purge_could_not_reach_goes_with_the_apps_next_copy(migrated):
    """Separate workers purge on their own machine: the app's copy of a deleted document is
    dropped the next time the app copies any original."""
    user, kb_id = writer_and_kb()
    stranded = migrated / "viewer-cache" / "5f0c1d2e-0000-4000-8000-00000000dead.pdf"
    stranded.parent.mkdir(parents=True)
    stranded.write_bytes(handbook_pdf())
    _resident(user, kb_id)
    assert not stranded.exists()
    assert len(list(stranded.parent.glob("*.pdf"))) == 1
