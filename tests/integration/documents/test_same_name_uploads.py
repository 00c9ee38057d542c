"""Two uploads of one name at the same moment make one new version, never two; an upload that
dies between its blob and its row leaves no blob behind (the outbox covers it)."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import psycopg
import pytest
from sqlmodel import col, select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.db.tables import Document, OutboxEvent
from lumikb_app.services.documents import documents, outbox, pending_blobs, reconcile
from lumikb_app.services.documents.uploads import UploadRejected
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    wait_for,
    wait_until_settled,
    writer_and_kb,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def on_postgresql(pg_url, data_dir, monkeypatch):  # the database outlives the app
    monkeypatch.setenv("DATABASE_URL", pg_url)
    reset_container()
    upgrade()
    return pg_url


def _inserts_waiting(connection: psycopg.Connection) -> int:
    return connection.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query ILIKE 'INSERT INTO documents%%'"
    ).fetchone()[0]


def _upload(user, kb_id: str, data: bytes, outcomes: list) -> None:
    try:
        outcomes.append(upload_bytes(user, kb_id, "plan.md", data))
    except UploadRejected as rejected:
        outcomes.append(rejected)


def _versions(kb_id: str) -> list[int]:
    with get_container().db.session() as session:
        query = select(Document.version).where(Document.kb_id == kb_id, Document.name == "plan.md")
        return sorted(session.exec(query))


def _stored_keys() -> set[str]:
    return set(get_container().blobs.list_keys("kb/"))


def _named_keys() -> set[str]:
    with get_container().db.session() as session:
        return {key for key in session.exec(select(Document.blob_key)) if key}


def _pending_announcements() -> list[OutboxEvent]:
    with get_container().db.session() as session:
        return list(
            session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.kind == outbox.DISCARD_UNCLAIMED_BLOB,
                    col(OutboxEvent.processed_at).is_(None),
                )
            )
        )


def test_two_uploads_of_one_name_at_the_same_moment_make_one_new_version(on_postgresql):
    user, kb_id = writer_and_kb()
    first = upload_bytes(user, kb_id, "plan.md", b"# Plan\n\nThe first version.\n")
    wait_until_settled([first.stored_id])
    outcomes: list = []
    uploads = [
        threading.Thread(target=_upload, args=(user, kb_id, f"# Plan\n\nDraft {n}.\n".encode(), outcomes))
        for n in (1, 2)
    ]  # fmt: skip
    # Both uploads read version 1 as the latest and reach their INSERT while the table is locked;
    # the lock goes once both wait there, so they insert version 2 at the same moment.
    probe = psycopg.connect(on_postgresql, autocommit=True)  # a fresh view of the activity
    with psycopg.connect(on_postgresql) as lock, probe:
        lock.execute("LOCK TABLE documents IN SHARE ROW EXCLUSIVE MODE")
        for upload in uploads:
            upload.start()
        wait_for(lambda: _inserts_waiting(probe) == 2, 60, "both uploads to wait at their INSERT")
        lock.commit()
    for upload in uploads:
        upload.join(60)

    stored = [o for o in outcomes if isinstance(o, documents.UploadOutcome)]
    refused = [o for o in outcomes if isinstance(o, UploadRejected)]
    assert len(stored) == 1 and stored[0].version == 2
    assert [str(r) for r in refused] == [
        "Another version of plan.md arrived at the same moment; upload it again."
    ]
    assert _versions(kb_id) == [1, 2]
    assert _stored_keys() == _named_keys()  # the refused upload's blob is gone
    assert _pending_announcements() == []


def test_an_upload_that_dies_after_its_blob_leaves_nothing_once_reconciled(migrated):
    writer_and_kb()
    key = "kb/kb-1/doc/doc-1/v1"
    pending_blobs.announce(key)  # the upload announced its blob and stored it ...
    get_container().blobs.put(key, io.BytesIO(b"orphan"), length=6)
    # ... then its process died before the row: the blob is in flight, so the sweep keeps it
    assert reconcile.remove_orphan_blobs() == 0 and key in _stored_keys()

    reconcile.redispatch_outbox(grace=timedelta(0))
    wait_for(lambda: key not in _stored_keys(), 30, "the announcement to discard the blob")
    wait_for(lambda: not _pending_announcements(), 30, "the announcement to be processed")


def test_a_row_that_claims_its_blob_keeps_it(migrated):
    user, kb_id = writer_and_kb()
    outcome = upload_bytes(user, kb_id, "kept.md", b"# Kept\n\nThis one stays.\n")
    assert _pending_announcements() == []
    assert reconcile.remove_orphan_blobs() == 0
    with get_container().db.session() as session:
        assert session.get_one(Document, outcome.stored_id).blob_key in _stored_keys()
