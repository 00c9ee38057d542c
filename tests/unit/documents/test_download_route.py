"""`GET /api/documents/{id}/download`: signed-in readers get the original bytes; nobody else
learns whether the document exists."""

import io
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document
from lumikb_app.domain.enums import DocumentStatus, KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.documents.documents import blob_key
from lumikb_app.services.knowledge_bases import kbs

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
OWNER, READER, OUTSIDER = "owner@example.com", "reader@example.com", "outsider@example.com"
NAME = "Prüfbericht – Q3 «final».pdf"
CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 5000  # > 1 MiB: streamed in several chunks


@pytest.fixture
def client(migrated) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def document_id(migrated) -> str:
    """A KB with one stored document, its owner, a READ member and an outsider."""
    with get_container().db.session() as session:
        owner = auth.create_user(session, email=OWNER, display_name="Owner", password=PASSWORD)
        auth.create_user(session, email=READER, display_name="Reader", password=PASSWORD)
        auth.create_user(session, email=OUTSIDER, display_name="Out", password=PASSWORD)
        session.commit()
    kb = kbs.create_kb(owner, "Reports")
    grants.set_grant(owner, kb.id, READER, KbRole.READ)
    with get_container().db.session() as session:
        doc = Document(kb_id=kb.id, name=NAME, mime_type="application/pdf", uploaded_by=owner.id)
        doc.blob_key = blob_key(kb.id, doc.id, 1)
        doc.size_bytes = len(CONTENT)
        get_container().blobs.put(
            doc.blob_key, io.BytesIO(CONTENT), length=len(CONTENT), content_type=doc.mime_type
        )
        session.add(doc)
        session.commit()
        return doc.id


def _get(client: TestClient, document_id: str, email: str | None = None):
    client.cookies.clear()
    if email:
        client.cookies.set(auth.COOKIE_NAME, auth.login(email, PASSWORD, ip="10.0.0.7").token)
    return client.get(f"/api/documents/{document_id}/download")


def test_anonymous_gets_401(client, document_id):
    response = _get(client, document_id)
    assert response.status_code == 401
    assert CONTENT[:20] not in response.content


def test_a_forged_session_gets_401(client, document_id):
    client.cookies.set(auth.COOKIE_NAME, "not-a-token")
    assert client.get(f"/api/documents/{document_id}/download").status_code == 401


def test_an_outsider_and_an_unknown_id_get_the_same_404(client, document_id):
    outsider = _get(client, document_id, OUTSIDER)
    unknown = _get(client, "00000000-0000-0000-0000-000000000000", READER)
    assert outsider.status_code == unknown.status_code == 404
    assert outsider.content == unknown.content
    assert CONTENT[:20] not in outsider.content


def test_a_reader_streams_the_original_bytes(client, document_id):
    client.cookies.clear()
    client.cookies.set(auth.COOKIE_NAME, auth.login(READER, PASSWORD, ip="10.0.0.7").token)
    with client.stream("GET", f"/api/documents/{document_id}/download") as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-length"] == str(len(CONTENT))
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
        pieces = list(response.iter_bytes())
    assert b"".join(pieces) == CONTENT


def test_a_purged_blob_is_a_404_not_an_error(client, document_id):
    with get_container().db.session() as session:
        key = session.get(Document, document_id).blob_key
    get_container().blobs.delete(key)
    response = _get(client, document_id, OWNER)
    assert response.status_code == 404


def _add_version_2(document_id: str, content: bytes) -> None:
    """A newer, ready version of the document; the first becomes superseded (kept for citations)."""
    with get_container().db.session() as session:
        first = session.get_one(Document, document_id)
        first.status = DocumentStatus.superseded.value
        second = Document(
            kb_id=first.kb_id, name=NAME, mime_type="application/pdf", version=2,
            stable_id=document_id, status=DocumentStatus.ready.value, size_bytes=len(content),
        )  # fmt: skip
        second.blob_key = blob_key(first.kb_id, second.id, 2)
        get_container().blobs.put(second.blob_key, io.BytesIO(content), length=len(content))
        session.add_all([first, second])
        session.commit()


def test_the_document_link_downloads_the_current_version_and_a_version_link_its_own(
    client, document_id
):
    _add_version_2(document_id, b"%PDF-1.4 version two")
    client.cookies.set(auth.COOKIE_NAME, auth.login(READER, PASSWORD, ip="10.0.0.7").token)
    url = f"/api/documents/{document_id}/download"
    assert client.get(url).content == b"%PDF-1.4 version two"
    assert client.get(url, params={"version": 1}).content == CONTENT
    assert client.get(url, params={"version": 7}).status_code == 404
    assert client.get(url, params={"version": "x"}).status_code == 422
    client.cookies.set(auth.COOKIE_NAME, auth.login(OUTSIDER, PASSWORD, ip="10.0.0.7").token)
    refused = client.get(url, params={"version": 1})
    assert refused.status_code == 404 and CONTENT[:20] not in refused.content
