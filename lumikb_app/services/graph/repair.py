"""What the reconcile job repairs in the graph, like in the other stores.

- A ready document of a KB with the graph on whose graph stage is missing (its hand-off to the
  queue was lost) or stuck (its worker died) is queued again; the stage resumes after its
  finished chunks.
- A graph stage whose document is gone or superseded has its contribution taken out of the graph
  store (idempotent), and its rows removed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, delete, select

from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import Document, GraphChunkResult, GraphExtraction, KnowledgeBase
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.domain.graph import GraphStage
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.graph import extraction
from lumikb_app.services.platform.transactions import transaction

STUCK_AFTER = timedelta(minutes=15)


def requeue_missing(stuck_after: timedelta = STUCK_AFTER) -> int:
    with transaction() as session:
        kbs = session.exec(select(KnowledgeBase.id, KnowledgeBase.settings)).all()
        graph_kbs = [kb_id for kb_id, s in kbs if KbSettings.model_validate(s).graph_mode != "off"]
        if not graph_kbs:
            return 0
        rows = session.exec(
            select(Document.id, GraphExtraction.state, GraphExtraction.updated_at)
            .outerjoin(GraphExtraction, col(GraphExtraction.document_id) == Document.id)
            .where(col(Document.kb_id).in_(graph_kbs), Document.status == S.ready.value)
        ).all()
    cutoff = utcnow() - stuck_after
    due = [
        document_id
        for document_id, state, updated_at in rows
        if state is None or (state in GraphStage.WORKING and updated_at < cutoff)
    ]
    return sum(extraction.queue_document(document_id) for document_id in due)


def remove_stale() -> int:
    with transaction() as session:
        rows = session.exec(
            select(GraphExtraction.document_id, GraphExtraction.kb_id, Document.status).outerjoin(
                Document, col(Document.id) == GraphExtraction.document_id
            )
        ).all()
    stale = [(doc_id, kb_id) for doc_id, kb_id, status in rows if status != S.ready.value]
    for document_id, kb_id in stale:
        extraction.forget_document(kb_id, document_id)
        with transaction() as session:
            for table in (GraphChunkResult, GraphExtraction):
                session.exec(delete(table).where(col(table.document_id) == document_id))
    return len(stale)
