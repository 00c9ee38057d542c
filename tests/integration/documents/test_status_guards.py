"""Status writes are guarded moves: a document being deleted stays `deleting` whatever a job or
a person asks, and a retry applies to a failed document only. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Document
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.services.documents import documents, ingest, reconcile, status
from lumikb_app.services.documents.uploads import UploadRejected
from tests.integration.documents.ingest_helpers import writer_and_kb

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request, monkeypatch):
    # The database first, so that it outlives the app (the fixtures end in reverse order).
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    request.getfixturevalue("data_dir")
    if url:
        monkeypatch.setenv("DATABASE_URL", url)
        reset_container()
    upgrade()
    return writer_and_kb()


def _row(kb_id: str, state: S, progress: float = 0.4) -> str:
    with get_container().db.session() as session:
        doc = Document(kb_id=kb_id, name=f"{state.value}.md", status=state.value, progress=progress)
        session.add(doc)
        session.commit()
        return doc.id


def _doc(document_id: str) -> Document:
    with get_container().db.session() as session:
        return session.get_one(Document, document_id)


def test_nothing_moves_a_document_out_of_deleting(deployment):
    user, kb_id = deployment
    document_id = _row(kb_id, S.deleting)
    with pytest.raises(status.StatusRefused):
        ingest.report(document_id, S.embedding, 0.6, "Embedded 10 of 20 passages")
    ingest.mark_failed(document_id, "boom")
    ingest.note_retry(document_id, "timeout")
    reconcile._requeue(document_id, keep_chunks=True)
    with pytest.raises(UploadRejected):
        documents.retry_document(user, document_id)
    doc = _doc(document_id)
    assert (doc.status, doc.progress, doc.error, doc.stage_detail) == ("deleting", 0.4, None, "")


def test_a_job_does_not_start_on_a_document_deleted_before_it(deployment):
    _, kb_id = deployment
    document_id = _row(kb_id, S.deleting)
    ingest.run(document_id)
    assert _doc(document_id).status == "deleting" and _doc(document_id).attempts == 0


def test_retry_applies_to_a_failed_document_only(deployment):
    user, kb_id = deployment
    ready = _row(kb_id, S.ready, progress=1.0)
    with pytest.raises(UploadRejected, match="Only a failed document"):
        documents.retry_document(user, ready)
    assert _doc(ready).status == "ready" and _doc(ready).progress == 1.0
    failed = _row(kb_id, S.failed)
    documents.retry_document(user, failed)
    retried = _doc(failed)  # queued again; the worker may already have taken it (it has no file)
    assert retried.status in {"queued", "parsing"} or retried.error.startswith("The file was never")


def test_a_failed_document_is_not_failed_again_nor_reported_on(deployment):
    _, kb_id = deployment
    document_id = _row(kb_id, S.ready, progress=1.0)
    ingest.mark_failed(document_id, "late failure of an earlier attempt")
    with pytest.raises(status.StatusRefused):
        ingest.report(document_id, S.embedding, 0.5)
    doc = _doc(document_id)
    assert (doc.status, doc.error, doc.progress) == ("ready", None, 1.0)
