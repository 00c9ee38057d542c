"""`GET /api/documents/{id}/pages/{n}.png`: readers get the rendered page; nobody else learns
whether the document or the page exists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lumikb_app.container import get_container
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.documents.documents import NOT_FOUND
from lumikb_app.services.documents.parsing import MARKDOWN, PDF
from lumikb_app.services.knowledge_bases import kbs
from tests.pdf_factory import handbook_pdf
from tests.unit.documents.test_viewer_service import GUIDE, store_document

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
OWNER, READER, OUTSIDER = "owner@example.com", "reader@example.com", "outsider@example.com"


@pytest.fixture
def client(migrated) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def documents(migrated) -> dict[str, str]:
    with get_container().db.session() as session:
        owner = auth.create_user(session, email=OWNER, display_name="Owner", password=PASSWORD)
        auth.create_user(session, email=READER, display_name="Reader", password=PASSWORD)
        auth.create_user(session, email=OUTSIDER, display_name="Out", password=PASSWORD)
        session.commit()
    kb = kbs.create_kb(owner, "Handbook")
    grants.set_grant(owner, kb.id, READER, KbRole.READ)
    return {
        "pdf": store_document(owner, kb.id, "handbook.pdf", handbook_pdf(), PDF),
        "guide": store_document(owner, kb.id, "guide.md", GUIDE.encode(), MARKDOWN),
    }


def _get(client: TestClient, path: str, email: str | None = None):
    client.cookies.clear()
    if email:
        client.cookies.set(auth.COOKIE_NAME, auth.login(email, PASSWORD, ip="10.0.0.7").token)
    return client.get(path)


def test_a_reader_gets_the_page_as_a_privately_cached_png(client, documents):
    response = _get(client, f"/api/documents/{documents['pdf']}/pages/2.png", READER)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"].startswith("private")
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    scaled = _get(client, f"/api/documents/{documents['pdf']}/pages/2.png?scale=1", READER)
    assert int.from_bytes(scaled.content[16:20], "big") == 612


def test_anonymous_gets_401_and_nothing_else(client, documents):
    response = _get(client, f"/api/documents/{documents['pdf']}/pages/1.png")
    assert response.status_code == 401 and b"PNG" not in response.content


@pytest.mark.parametrize(
    ("who", "document", "page"),
    [
        (OUTSIDER, "pdf", "1"),  # no grant
        (OUTSIDER, "missing", "1"),
        (READER, "missing", "1"),
        (READER, "pdf", "0"),  # out of range
        (READER, "pdf", "4"),
        (READER, "pdf", "99999999999"),
        (READER, "pdf", "two"),
        (READER, "guide", "1"),  # not a PDF
    ],
)
def test_forbidden_missing_and_out_of_range_get_the_same_404(
    client, documents, who, document, page
):
    document_id = documents.get(document, "0" * 36)
    response = _get(client, f"/api/documents/{document_id}/pages/{page}.png", who)
    assert response.status_code == 404
    assert response.text == NOT_FOUND
    assert response.headers["cache-control"] == "no-store"


def test_an_outsider_cannot_download_the_original_either(client, documents):
    response = _get(client, f"/api/documents/{documents['pdf']}/download", OUTSIDER)
    assert response.status_code == 404 and response.text == NOT_FOUND
    assert _get(client, f"/api/documents/{documents['pdf']}/download", READER).status_code == 200
