"""services.documents: the listing carries its uploaders' names, and uploads keep the transaction
rule (the blob store is written while no unit of work is open)."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, KbGrant, KnowledgeBase, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import documents
from lumikb_app.services.documents.uploads import UploadRejected
from lumikb_app.services.platform.transactions import open_units
from tests.statement_counter import counted_statements

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


@pytest.fixture
def kb(migrated, monkeypatch) -> tuple[str, dict[str, User]]:
    """A KB with a writer, a reader and an outsider; ingest jobs are not queued."""
    monkeypatch.setattr(documents, "enqueue_ingest", lambda document_id: None)
    with get_container().db.session() as session:
        people = {
            name: auth.create_user(
                session, email=f"{name}@example.com", display_name=name.title(), password=PASSWORD
            )
            for name in ("wendy", "rae", "otto")
        }
        kb = KnowledgeBase(name="Handbook", created_by=people["wendy"].id)
        session.add(kb)
        session.flush()
        session.add(KbGrant(kb_id=kb.id, user_id=people["wendy"].id, role=KbRole.WRITE))
        session.add(KbGrant(kb_id=kb.id, user_id=people["rae"].id, role=KbRole.READ))
        session.commit()
        return kb.id, people


def upload(user: User, kb_id: str, name: str, data: bytes) -> documents.UploadOutcome:
    spool = documents.new_spool(name)
    spool.write(data)
    return documents.accept_upload(user, kb_id, spool)


def test_the_listing_names_every_uploader_in_one_query_whatever_the_number_of_rows(kb):
    kb_id, people = kb
    for n in range(6):
        upload(people["wendy"], kb_id, f"note-{n}.md", f"# Note {n}\n".encode())
    with get_container().db.session() as session:  # a row from before uploaders were recorded
        session.add(Document(kb_id=kb_id, name="legacy.md", uploaded_by=None))
        session.commit()

    with counted_statements() as statements:
        listing = documents.list_documents(people["rae"], kb_id, sort="name")

    names = [(item.document.name, item.uploader) for item in listing.documents]
    assert names[0] == ("legacy.md", None)
    assert names[1:] == [(f"note-{n}.md", "Wendy") for n in range(6)]
    assert not listing.can_write
    document_queries = [s for s in statements if "FROM documents" in s]
    # The rows with their uploaders, and the queued ones' places in the ingest line.
    assert len(document_queries) == 2 and "JOIN users" in document_queries[0]
    assert "row_number" in document_queries[1].lower()
    assert len(statements) <= 5  # the reader's role (READ, then WRITE), the KB, rows, line


def test_the_listing_says_who_may_write_and_refuses_an_outsider(kb):
    kb_id, people = kb
    assert documents.list_documents(people["wendy"], kb_id).can_write
    with pytest.raises(PermissionDenied):
        documents.list_documents(people["otto"], kb_id)


def test_an_upload_writes_its_blob_while_no_unit_of_work_is_open(kb, monkeypatch):
    kb_id, people = kb
    blobs = get_container().blobs
    put, units_at_put = blobs.put, []

    def watched_put(key, stream, **kwargs):
        units_at_put.append(open_units())
        return put(key, stream, **kwargs)

    monkeypatch.setattr(blobs, "put", watched_put)

    outcome = upload(people["wendy"], kb_id, "guide.md", b"# Guide\n")

    assert outcome.version == 1 and units_at_put == [0]
    with get_container().db.session() as session:
        doc = session.get(Document, outcome.document_id)
        assert doc is not None and doc.blob_key == documents.blob_key(kb_id, doc.id, 1)
    assert list(blobs.list_keys("kb/")) == [doc.blob_key]


def test_a_row_that_cannot_be_written_takes_its_blob_with_it(kb, monkeypatch):
    kb_id, people = kb
    upload(people["wendy"], kb_id, "guide.md", b"# Guide v1\n")
    real_next_version = documents.next_version
    versions = iter([2, 3])  # another upload of guide.md lands between the read and the write

    def racing_next_version(session, kb_id_, name):
        assert real_next_version(session, kb_id_, name) == 2
        return next(versions)

    monkeypatch.setattr(documents, "next_version", racing_next_version)

    with pytest.raises(UploadRejected, match="arrived at the same moment"):
        upload(people["wendy"], kb_id, "guide.md", b"# Guide v2\n")

    assert len(list(get_container().blobs.list_keys("kb/"))) == 1
    listing = documents.list_documents(people["wendy"], kb_id)
    assert [item.document.version for item in listing.documents] == [1]
