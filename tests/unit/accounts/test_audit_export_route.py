"""`GET /api/admin/audit.csv`: only for a signed-in administrator, streamed, and itself audited."""

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import audit, auth
from lumikb_app.services.knowledge_bases import kbs

pytestmark = pytest.mark.unit

ADMIN_EMAIL = "root@example.com"
MEMBER_EMAIL = "mia@example.com"
PASSWORD = "correct horse battery"
EXPORT = "/api/admin/audit.csv"


@pytest.fixture
def client(migrated) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def people(migrated) -> dict[str, str]:
    with get_container().db.session() as session:
        admin = auth.create_user(
            session,
            email=ADMIN_EMAIL,
            display_name="Root",
            password=PASSWORD,
            role=SystemRole.admin,
        )
        auth.create_user(session, email=MEMBER_EMAIL, display_name="Mia", password=PASSWORD)
        session.commit()
    return {"kb_id": kbs.create_kb(admin, "Alpha Docs", "A.").id}


def _token(email: str) -> str:
    return auth.login(email, PASSWORD, ip="10.0.0.9").token


def _get(client: TestClient, token: str | None = None, **params: str):
    client.cookies.clear()
    if token:
        client.cookies.set(auth.COOKIE_NAME, token)
    return client.get(EXPORT, params=params)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _admin() -> User:
    with get_container().db.session() as session:
        return session.exec(select(User).where(User.email == ADMIN_EMAIL)).one()


def _all_actions() -> list[str]:
    rows = "".join(audit.csv_rows(audit.AuditFilter()))
    return [row["action"] for row in _rows(rows)]


def test_anonymous_gets_401(client, people):
    response = _get(client)
    assert response.status_code == 401
    assert "audit.exported" not in _all_actions()


def test_a_revoked_or_forged_session_gets_401(client, people):
    token = _token(ADMIN_EMAIL)
    auth.logout(token)
    assert _get(client, token).status_code == 401
    assert _get(client, "not-a-token").status_code == 401


def test_a_member_gets_403_and_nothing_is_exported(client, people):
    response = _get(client, _token(MEMBER_EMAIL))
    assert response.status_code == 403
    assert "administrators" in response.text
    assert "seq,created_at" not in response.text
    assert "audit.exported" not in _all_actions()


def test_an_admin_downloads_a_streamed_csv_and_the_export_is_audited(client, people):
    with pytest.raises(auth.AuthError):
        auth.login(MEMBER_EMAIL, "not the password", ip="10.0.0.7")
    token = _token(ADMIN_EMAIL)

    client.cookies.set(auth.COOKIE_NAME, token)
    with client.stream("GET", EXPORT) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;") and ".csv" in disposition
        assert response.headers["cache-control"] == "no-store"
        assert "content-length" not in response.headers  # streamed, not buffered
        body = "".join(response.iter_text())

    assert body.splitlines()[0] == ",".join(audit.CSV_COLUMNS)
    rows = _rows(body)
    actions = [row["action"] for row in rows]
    assert {"user.created", "kb.created", "login.failed", "login.ok"} <= set(actions)
    failed = next(row for row in rows if row["action"] == "login.failed")
    assert failed["target"] == MEMBER_EMAIL and failed["ip"] == "10.0.0.7"
    assert [int(row["seq"]) for row in rows] == sorted(int(row["seq"]) for row in rows)

    exported, total = audit.search(_admin(), audit.AuditFilter(action="audit.exported"))
    assert total == 1
    assert exported[0].actor_email == ADMIN_EMAIL
    assert exported[0].ip == "testclient"


def test_filters_narrow_the_export_and_are_recorded(client, people):
    token = _token(ADMIN_EMAIL)
    response = _get(client, token, action="kb.created", kb_id=people["kb_id"])
    assert response.status_code == 200
    rows = _rows(response.text)
    assert [row["action"] for row in rows] == ["kb.created"]
    assert rows[0]["kb_id"] == people["kb_id"]

    today = _rows(_get(client, token, since="2000-01-01", until="2999-12-31").text)
    assert {"user.created", "kb.created"} <= {row["action"] for row in today}
    assert _rows(_get(client, token, until="2000-01-01").text) == []
    mine = _rows(_get(client, token, actor="ROOT@").text)
    assert mine and all(row["actor_email"] == ADMIN_EMAIL for row in mine)

    exported, _ = audit.search(_admin(), audit.AuditFilter(action="audit.exported"), per_page=10)
    recorded = [event.details for event in exported]
    assert {"action": "kb.created", "kb_id": people["kb_id"]} in recorded


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"until": "2024-13-45"},
        {"since": "2024-05-02", "until": "2024-05-01"},
    ],
)
def test_bad_dates_are_refused_with_400(client, people, params):
    response = _get(client, _token(ADMIN_EMAIL), **params)
    assert response.status_code == 400
    assert "audit.exported" not in _all_actions()
