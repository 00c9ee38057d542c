"""Uploads while S3 is down (a moto server stopped mid-test): the upload fails with a message
that says file storage is unavailable, no document row or blob is left of it, what was stored
before is intact, and the same upload works once the server is back. Uploads while the job
queue's Redis is down are stored and queued later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from moto.server import ThreadedMotoServer
from sqlmodel import select

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.adapters.rq_jobs import RedisJobQueue
from lumikb_app.container import get_container
from lumikb_app.db.tables import Document
from lumikb_app.ports.unavailable import BlobStoreUnavailable
from lumikb_app.services.documents import reconcile
from tests.integration.documents.ingest_helpers import upload_bytes, writer_and_kb
from tests.integration.platform.private_redis import free_port, private_redis

pytestmark = pytest.mark.integration

STORAGE_DOWN = "File storage is unavailable; nothing was stored. Try again in a moment."
REPORT = b"Quarterly report: revenue grew in every region.\n"
MINUTES = b"Minutes of the board meeting: the budget was approved.\n"


class MotoS3:
    def __init__(self) -> None:
        self.port = free_port()
        self.server: ThreadedMotoServer | None = None

    def start(self) -> None:
        # moto keeps its buckets in this process, so a restarted server still has them.
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def s3(data_dir, monkeypatch) -> Iterator[MotoS3]:
    server = MotoS3()
    server.start()
    monkeypatch.setenv("LUMIKB_ENV", "test")
    monkeypatch.setenv("MINIO_ENDPOINT", f"127.0.0.1:{server.port}")
    monkeypatch.setenv("MINIO_ACCESS_KEY", "testing")
    monkeypatch.setenv("MINIO_SECRET_KEY", "testing")
    monkeypatch.setenv("MINIO_BUCKET", f"lumikb-faults-{server.port}")
    from lumikb_app.db.migrate import upgrade

    upgrade()
    embedder = FakeEmbedder()
    monkeypatch.setattr(get_container(), "embedder_for", lambda model: embedder)
    try:
        yield server
    finally:
        server.stop()


def _documents() -> list[tuple[str, str]]:
    with get_container().db.session() as session:
        return [(d.name, d.blob_key) for d in session.exec(select(Document))]


def _stored(key: str) -> bytes:
    return b"".join(get_container().blobs.get(key))


def test_an_upload_with_storage_down_fails_clearly_and_changes_nothing(s3):
    writer, kb_id = writer_and_kb()
    upload_bytes(writer, kb_id, "report.txt", REPORT)
    before = _documents()
    ((_, report_key),) = before

    s3.stop()
    with pytest.raises(BlobStoreUnavailable) as refused:
        upload_bytes(writer, kb_id, "minutes.txt", MINUTES)
    assert str(refused.value) == STORAGE_DOWN
    assert _documents() == before  # no row, not even a half-made one

    s3.start()
    assert _stored(report_key) == REPORT  # what was stored before is intact
    keys = set(get_container().blobs.list_keys(f"kb/{kb_id}/"))
    assert keys == {report_key}  # nothing of the refused upload was kept
    again = upload_bytes(writer, kb_id, "minutes.txt", MINUTES)
    assert again.document_id is not None and again.version == 1
    assert {name for name, _ in _documents()} == {"report.txt", "minutes.txt"}


def test_an_upload_while_the_job_queue_is_down_is_stored_and_queued_later(
    migrated, tmp_path, monkeypatch
):
    """The row is committed before its job is queued: with Redis down the upload still succeeds
    (it is stored), and reconcile queues the document once Redis is back."""
    with private_redis(tmp_path) as redis:
        monkeypatch.setitem(get_container().__dict__, "jobs", RedisJobQueue(redis.url))
        writer, kb_id = writer_and_kb()
        redis.stop()
        outcome = upload_bytes(writer, kb_id, "report.txt", REPORT)
        assert outcome.message == "report.txt uploaded (version 1)."
        with get_container().db.session() as session:
            assert session.get_one(Document, outcome.stored_id).status == "queued"

        redis.start()
        assert reconcile.requeue_lost(grace=timedelta(0)) == 1
        assert outcome.stored_id in get_container().jobs.waiting_first_args("ingest")
