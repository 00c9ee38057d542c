"""Cookie-authenticated reads refuse other sites' pages: browsers attach the Lax session cookie
to a same-site page's requests (another port of the same host), so without this check such a
page could fetch a user's conversations or make an admin's browser export the audit log."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import AuditEvent
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import auth

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
MISSING_DOC = "0" * 36
READS = [
    "/api/v1/conversations",
    "/api/v1/kbs",
    "/api/admin/audit.csv",
    f"/api/documents/{MISSING_DOC}/download",
    f"/api/documents/{MISSING_DOC}/pages/1.png",
]
OWN_PAGE = {"Sec-Fetch-Site": "same-origin"}
FOREIGN = [
    {"Sec-Fetch-Site": "same-site"},  # an <img> or a no-cors fetch from another port
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://testserver:8080", "Sec-Fetch-Site": "same-site"},  # a CORS fetch
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
]


@pytest.fixture
def admin_client(migrated) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    with get_container().db.session() as session:
        auth.create_user(
            session,
            email="root@example.com",
            display_name="Root",
            password=PASSWORD,
            role=SystemRole.admin,
        )
        session.commit()
    token = auth.login("root@example.com", PASSWORD, ip="10.0.0.9").token
    with TestClient(create_api(), cookies={auth.COOKIE_NAME: token}) as client:
        yield client


def _exports() -> int:
    with get_container().db.session() as session:
        query = select(func.count()).where(AuditEvent.action == "audit.exported")
        return session.exec(query.select_from(AuditEvent)).one()


@pytest.mark.parametrize("path", READS)
def test_our_own_pages_and_typed_urls_read_with_the_cookie(admin_client, path):
    for headers in (OWN_PAGE, {"Sec-Fetch-Site": "none"}, {"Origin": "http://testserver"}):
        response = admin_client.get(path, headers=headers)
        assert response.status_code in (200, 404), (headers, response.text)


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("headers", FOREIGN)
def test_another_sites_page_is_refused(admin_client, path, headers):
    response = admin_client.get(path, headers=headers)
    assert response.status_code == 403
    assert "Cross-site request refused." in response.text
    assert "access-control-allow-origin" not in response.headers


def test_a_refused_audit_export_records_and_sends_nothing(admin_client):
    refused = admin_client.get("/api/admin/audit.csv", headers={"Sec-Fetch-Site": "same-site"})
    assert refused.status_code == 403 and "login.ok" not in refused.text
    assert _exports() == 0
    allowed = admin_client.get("/api/admin/audit.csv", headers=OWN_PAGE)
    assert allowed.status_code == 200 and "login.ok" in allowed.text
    assert _exports() == 1
