"""Removing a document from every store: vectors (dense and sparse), graph, blob, the viewer's
local copy, chunks, row. The document is `deleting` before anything goes, so a job still
working on it stops at its next step instead of writing it back (status.py)."""

from __future__ import annotations

from sqlmodel import col, delete, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import (
    Chunk,
    Document,
    DraftTemplate,
    DraftTemplateVersion,
    GraphChunkResult,
    GraphCommunity,
    GraphExtraction,
    KbGrant,
    KnowledgeBase,
)
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.services.documents import status, viewer_cache
from lumikb_app.services.platform.transactions import transaction


def purge_document(document_id: str) -> None:
    container = get_container()
    with transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            return
        status.move(session, document_id, S.deleting)
        kb_id, blob_key = doc.kb_id, doc.blob_key
    for collection in container.vectors.list_collections():
        container.vectors.delete_document(collection, document_id)
    from lumikb_app.services.graph import extraction  # the graph builds on documents

    extraction.forget_document(kb_id, document_id)
    if blob_key:
        container.blobs.delete(blob_key)
    viewer_cache.forget(document_id)
    with transaction() as session:
        session.exec(delete(Chunk).where(col(Chunk.document_id) == document_id))
        for table in (GraphChunkResult, GraphExtraction):
            session.exec(delete(table).where(col(table.document_id) == document_id))
        session.exec(delete(Document).where(col(Document.id) == document_id))


def purge_kb(kb_id: str) -> None:
    """Every document of the KB from every store, then its grants, its drafting templates (only
    its readers could use them) and the KB itself."""
    with transaction() as session:
        status.retire_kb(session, kb_id)
        document_ids = session.exec(select(Document.id).where(Document.kb_id == kb_id)).all()
    for document_id in document_ids:
        purge_document(document_id)
    with transaction() as session:
        session.exec(delete(KbGrant).where(col(KbGrant.kb_id) == kb_id))
        session.exec(delete(GraphCommunity).where(col(GraphCommunity.kb_id) == kb_id))
        templates = select(DraftTemplate.id).where(DraftTemplate.kb_id == kb_id)
        session.exec(
            delete(DraftTemplateVersion).where(col(DraftTemplateVersion.template_id).in_(templates))
        )
        session.exec(delete(DraftTemplate).where(col(DraftTemplate.kb_id) == kb_id))
        session.exec(delete(KnowledgeBase).where(col(KnowledgeBase.id) == kb_id))
