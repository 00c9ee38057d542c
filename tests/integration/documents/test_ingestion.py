"""Documents go through the real pipeline on the embedded backends (the in-process RQ worker)."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import func, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent, Chunk, Document
from lumikb_app.domain.models import BUILTIN_EMBEDDER
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import documents, indexing, reconcile
from lumikb_app.services.documents.uploads import UploadRejected
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    upload_path,
    wait_for,
    wait_until_settled,
    writer_and_kb,
)

pytestmark = pytest.mark.integration

PEP = CORPORA / "peps" / "pep-0020.rst"


@pytest.fixture
def kb(migrated):
    return writer_and_kb()


def _collection() -> str:
    return indexing.collection_for(get_container().embedder_for(BUILTIN_EMBEDDER))


def _vector_count(document_id: str) -> int:
    vectors = get_container().vectors
    if _collection() not in vectors.list_collections():
        return 0
    return vectors.count(_collection(), document_id=document_id)


def _chunk_count(document_id: str) -> int:
    with get_container().db.session() as session:
        return session.exec(
            select(func.count()).select_from(Chunk).where(Chunk.document_id == document_id)
        ).one()


def test_a_document_becomes_ready_with_one_vector_per_chunk(kb):
    user, kb_id = kb
    outcome = upload_path(user, kb_id, PEP)
    doc = wait_until_settled([outcome.document_id])[outcome.document_id]
    assert doc.status == "ready", doc.error
    assert doc.progress == 1.0 and doc.chunk_count > 0
    assert doc.mime_type == "text/x-rst" and doc.title == "The Zen of Python"
    assert _chunk_count(doc.id) == doc.chunk_count == _vector_count(doc.id)
    hits = get_container().vectors.search(
        _collection(), kb_ids=[kb_id], text="beautiful is better than ugly", mode="sparse"
    )
    assert hits and hits[0].payload["document_id"] == doc.id


def test_every_sample_and_every_bad_file_ends_ready_or_failed_with_a_reason(kb):
    user, kb_id = kb
    samples = sorted((CORPORA / "pdf-samples").rglob("*.pdf")) + sorted(
        (CORPORA / "docx-samples").glob("*.docx")
    )
    assert len(samples) > 40
    bad = {
        "truncated.pdf": (CORPORA / "pdf-samples").rglob("*.pdf").__next__().read_bytes()[:700],
        "blank.txt": b"  \n\n  \n",
        "bomb.docx": _zip_bomb(),
    }
    ids = [
        upload_path(user, kb_id, p, name=f"{p.parent.name}-{p.name}").document_id for p in samples
    ]
    ids += [upload_bytes(user, kb_id, name, data).document_id for name, data in bad.items()]
    docs = wait_until_settled([i for i in ids if i], timeout=900)
    for doc in docs.values():
        if doc.status == "failed":
            assert doc.error and doc.error.endswith(".") and "Traceback" not in doc.error, (
                doc.name,
                doc.error,
            )
        else:
            assert doc.chunk_count == _vector_count(doc.id) > 0, doc.name
    by_name = {d.name: d for d in docs.values()}
    assert "password-protected" in next(d.error for n, d in by_name.items() if n.startswith("005"))
    assert by_name["blank.txt"].error == "The document contains no text."
    assert "zip bomb" in by_name["bomb.docx"].error
    assert sum(d.status == "ready" for d in docs.values()) >= 40


def test_an_empty_file_or_one_no_parser_reads_is_refused_before_anything_is_stored(kb):
    """The upload list then shows it failed with its reason, never a tick for a doomed file."""
    user, kb_id = kb
    refused = {
        "empty.pdf": (b"", "empty.pdf is empty; there is nothing to add."),
        "random.pdf": (
            bytes(range(256)) * 40,
            "random.pdf was not added: this file type is not supported: data in an unknown format.",
        ),
    }
    for name, (data, reason) in refused.items():
        with pytest.raises(UploadRejected) as caught:
            upload_bytes(user, kb_id, name, data)
        assert str(caught.value) == reason
    with get_container().db.session() as session:
        assert session.exec(select(Document).where(Document.kb_id == kb_id)).all() == []
    assert list(get_container().blobs.list_keys(f"kb/{kb_id}/")) == []


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def test_a_file_over_the_cap_leaves_no_row_and_no_blob(kb, monkeypatch):
    user, kb_id = kb
    monkeypatch.setattr(get_container().settings, "MAX_UPLOAD_MB", 1)
    with pytest.raises(UploadRejected, match="larger than the 1 MB upload limit"):
        upload_bytes(user, kb_id, "big.txt", b"x" * (1024 * 1024 + 1))
    with get_container().db.session() as session:
        assert session.exec(select(func.count()).select_from(Document)).one() == 0
    assert list(get_container().blobs.list_keys("kb/")) == []
    assert not any((get_container().settings.DATA_DIR / "uploads").iterdir())


def test_reader_cannot_upload_and_outsider_cannot_see(kb):
    from lumikb_app.services.accounts.auth import create_user

    user, kb_id = kb
    with get_container().db.session() as session:
        outsider = create_user(
            session, email="out@example.com", display_name="O", password="long enough pw"
        )
        session.commit()
    spool = documents.new_spool("x.txt")
    spool.write(b"hello")
    with pytest.raises(PermissionDenied):
        documents.accept_upload(outsider, kb_id, spool)
    with pytest.raises(PermissionDenied):
        documents.list_documents(outsider, kb_id)


def test_identical_content_is_recognised_and_does_no_work(kb):
    user, kb_id = kb
    first = upload_path(user, kb_id, PEP)
    wait_until_settled([first.document_id])
    again = upload_path(user, kb_id, PEP, name="copy-of-zen.rst")
    assert again.document_id is None and again.duplicate_of == first.document_id
    assert "identical" in again.message
    with get_container().db.session() as session:
        assert session.exec(select(func.count()).select_from(Document)).one() == 1


def test_same_name_makes_version_2_which_supersedes_version_1_when_ready(kb):
    user, kb_id = kb
    v1 = upload_bytes(user, kb_id, "notes.md", b"# Notes\n\nThe launch code word is alpha.\n")
    wait_until_settled([v1.document_id])
    v2 = upload_bytes(user, kb_id, "notes.md", b"# Notes\n\nThe launch code word is bravo.\n")
    assert v2.version == 2
    assert wait_until_settled([v2.document_id])[v2.document_id].status == "ready"

    # version 1 leaves search but stays readable for its citations (services/documents/versions.py)
    wait_for(lambda: _vector_count(v1.document_id) == 0, what="version 1 to leave the index")
    with get_container().db.session() as session:
        assert session.get_one(Document, v1.document_id).status == "superseded"
    assert _chunk_count(v1.document_id) > 0
    hits = get_container().vectors.search(
        _collection(), kb_ids=[kb_id], text="launch code word", mode="sparse"
    )
    assert {h.payload["document_id"] for h in hits} == {v2.document_id}


def test_delete_removes_the_document_from_every_store(kb):
    user, kb_id = kb
    outcome = upload_path(user, kb_id, PEP)
    doc = wait_until_settled([outcome.document_id])[outcome.document_id]
    assert _vector_count(doc.id) > 0
    documents.delete_document(user, doc.id)

    def gone() -> bool:
        with get_container().db.session() as session:
            return session.get(Document, doc.id) is None

    wait_for(gone, what="the purge")
    vectors = get_container().vectors
    assert _vector_count(doc.id) == 0
    assert doc.id not in vectors.document_ids(_collection())
    for mode in ("dense", "sparse"):
        kwargs = (
            {"text": "beautiful ugly"}
            if mode == "sparse"
            else {"dense": [0.1] * get_container().embedder_for(BUILTIN_EMBEDDER).dimension}
        )
        assert vectors.search(_collection(), kb_ids=[kb_id], mode=mode, **kwargs) == []
    assert not get_container().blobs.exists(doc.blob_key)
    assert _chunk_count(doc.id) == 0
    with get_container().db.session() as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert "document.uploaded" in actions and "document.deleted" in actions


def test_reconcile_repairs_what_the_stores_disagree_on(kb):
    user, kb_id = kb
    outcome = upload_path(user, kb_id, PEP)
    doc = wait_until_settled([outcome.document_id])[outcome.document_id]
    container = get_container()
    # a ready document that lost its vectors, and a blob nobody owns
    container.vectors.delete_document(_collection(), doc.id)
    container.blobs.put(f"kb/{kb_id}/doc/orphan/v1", io.BytesIO(b"stray"), length=5)
    report = reconcile.run()
    assert report["documents_reindexed"] == 1 and report["orphan_blobs_removed"] == 1
    wait_for(lambda: _vector_count(doc.id) == doc.chunk_count, what="re-index")
    assert not container.blobs.exists(f"kb/{kb_id}/doc/orphan/v1")
    # vectors whose document row is gone
    with container.db.session() as session:
        for chunk in session.exec(select(Chunk).where(Chunk.document_id == doc.id)):
            session.delete(chunk)
        session.flush()
        session.delete(session.get(Document, doc.id))
        session.commit()
    assert reconcile.run()["orphan_vectors_removed"] == 1
    assert _vector_count(doc.id) == 0


def test_retry_runs_a_failed_document_again(kb):
    user, kb_id = kb
    outcome = upload_bytes(user, kb_id, "blank.txt", b"  \n\n  \n")
    doc = wait_until_settled([outcome.document_id])[outcome.document_id]
    assert doc.status == "failed"
    documents.retry_document(user, doc.id)
    assert wait_until_settled([doc.id])[doc.id].attempts == 2
    with pytest.raises(UploadRejected):
        upload = upload_path(user, kb_id, PEP)
        documents.retry_document(
            user, wait_until_settled([upload.document_id]) and upload.document_id
        )


def test_changing_chunking_reindexes_while_the_old_version_keeps_serving(kb):
    from lumikb_app.services.accounts.auth import InvalidInput
    from lumikb_app.services.knowledge_bases import kb_config

    user, kb_id = kb
    first = upload_path(user, kb_id, CORPORA / "peps" / "pep-0008.rst")
    old = wait_until_settled([first.document_id])[first.document_id]
    with pytest.raises(InvalidInput, match="Chunk overlap must be at most half"):
        kb_config.update_settings(user, kb_id, {"chunk_tokens": 100, "chunk_overlap": 90})
    settings, reindexing = kb_config.update_settings(
        user, kb_id, {"chunk_tokens": 150, "chunk_overlap": 20}
    )
    assert reindexing and settings.chunk_tokens == 150

    def replaced() -> Document | None:
        with get_container().db.session() as session:
            docs = session.exec(select(Document).where(Document.kb_id == kb_id)).all()
            # until the switch, version 1 stays ready and searchable
            assert any(d.status == "ready" for d in docs)
            current = [d for d in docs if d.status != "superseded"]  # kept for citations
            return (
                next((d for d in current if d.version == 2 and d.status == "ready"), None)
                if len(current) == 1
                else None
            )

    wait_for(lambda: replaced() is not None, timeout=300, what="the re-index to switch over")
    new = replaced()
    assert new.chunk_count > old.chunk_count  # smaller chunks, more of them
    assert new.stable_id == old.id  # the same document, in a new version
    wait_for(lambda: _vector_count(old.id) == 0, what="version 1 to leave the index")
    assert _vector_count(new.id) == new.chunk_count


def test_deleting_a_kb_purges_every_document_from_every_store(kb):
    from lumikb_app.db.tables import KnowledgeBase
    from lumikb_app.services.knowledge_bases import kbs

    user, kb_id = kb
    outcome = upload_path(user, kb_id, PEP)
    doc = wait_until_settled([outcome.document_id])[outcome.document_id]
    kbs.set_archived(user, kb_id, True)
    assert kbs.list_kbs(user) == []  # archived: out of every listing
    kbs.set_archived(user, kb_id, False)
    assert [k.id for k in kbs.list_kbs(user)] == [kb_id]
    kbs.delete_kb(user, kb_id)
    assert kbs.list_kbs(user) == []  # hidden at once

    def purged() -> bool:
        with get_container().db.session() as session:
            return session.get(KnowledgeBase, kb_id) is None

    wait_for(purged, what="the KB purge")
    assert _vector_count(doc.id) == 0 and _chunk_count(doc.id) == 0
    assert list(get_container().blobs.list_keys(f"kb/{kb_id}/")) == []
