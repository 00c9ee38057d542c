"""The FastAPI routes mounted into Reflex: login and logout (temp SQLite DATA_DIR); health and
metrics are in test_health_and_metrics.py."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import UserSession
from lumikb_app.services.accounts import auth

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
EMAIL = "ada@example.com"
ORIGIN = "http://testserver"


@pytest.fixture
def client(migrated) -> Iterator[TestClient]:
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def ada(migrated):
    with get_container().db.session() as session:
        user = auth.create_user(
            session, email=EMAIL, display_name="Ada Lovelace", password=PASSWORD
        )
        session.commit()
    return user


def _login(client: TestClient, email: str, password: str, **extra: str):
    headers = {"Origin": extra.pop("origin", ORIGIN)}
    return client.post(
        "/auth/login", data={"email": email, "password": password, **extra}, headers=headers
    )


def _session_count() -> int:
    with get_container().db.session() as session:
        return session.exec(select(func.count()).select_from(UserSession)).one()


def test_login_sets_an_httponly_lax_cookie_and_redirects(client, ada):
    response = _login(client, EMAIL, PASSWORD, next="/kb/123?tab=docs")
    assert response.status_code == 303
    assert response.headers["location"] == "/kb/123?tab=docs"
    cookie = response.headers["set-cookie"]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert cookie.startswith(f"{auth.COOKIE_NAME}=")
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert f"max-age={get_container().settings.JWT_EXPIRY_MINUTES * 60}" in attributes
    assert "secure" not in attributes
    token = response.cookies[auth.COOKIE_NAME]
    assert auth.user_for_token(token).id == ada.id


def _cookie_attributes(response) -> list[str]:
    return [part.strip().lower() for part in response.headers["set-cookie"].split(";")]


def _login_through_proxy(ada_client: TestClient):
    return ada_client.post(
        "/auth/login",
        data={"email": EMAIL, "password": PASSWORD},
        headers={"Origin": "https://testserver", "X-Forwarded-Proto": "https"},
    )


def test_login_over_https_marks_the_cookie_secure(ada, monkeypatch):
    from lumikb_app.api.app import create_api

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    reset_container()
    through_proxy = TestClient(create_api(), follow_redirects=False, client=("10.1.2.3", 4000))
    response = _login_through_proxy(through_proxy)
    assert response.status_code == 303
    assert "secure" in _cookie_attributes(response)
    direct = TestClient(create_api(), base_url="https://testserver", follow_redirects=False)
    response = direct.post(
        "/auth/login",
        data={"email": EMAIL, "password": PASSWORD},
        headers={"Origin": "https://testserver"},
    )
    assert "secure" in _cookie_attributes(response)


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(client, ada):
    # X-Forwarded-Proto: https is only the client's own say-so here.
    assert "secure" not in _cookie_attributes(_login_through_proxy(client))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "/login",
        "",
    ],
)
def test_login_redirects_only_to_same_site_paths(client, ada, target):
    response = _login(client, EMAIL, PASSWORD, next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def _without_request_id(headers) -> dict[str, str]:
    """Each request has its own id (X-Request-ID); everything else must match."""
    return {name: value for name, value in headers.items() if name != "x-request-id"}


def test_wrong_password_and_unknown_user_get_the_same_answer(client, ada):
    wrong = _login(client, EMAIL, "not the password")
    unknown = _login(client, "nobody@example.com", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 303
        assert response.headers["location"] == "/login?error=1"
        assert "set-cookie" not in response.headers
    assert wrong.content == unknown.content
    assert _without_request_id(wrong.headers) == _without_request_id(unknown.headers)
    assert _session_count() == 0


def test_cross_site_login_is_refused_and_creates_no_session(client, ada):
    refused = _login(client, EMAIL, PASSWORD, origin="http://evil.example")
    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers
    no_origin = client.post("/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert no_origin.status_code == 403
    assert _session_count() == 0


def test_referer_is_accepted_when_there_is_no_origin(client, ada):
    response = client.post(
        "/auth/login",
        data={"email": EMAIL, "password": PASSWORD},
        headers={"Referer": "http://testserver/login?next=/"},
    )
    assert response.status_code == 303
    assert auth.COOKIE_NAME in response.cookies


def test_logout_revokes_the_session_and_clears_the_cookie(client, ada):
    token = _login(client, EMAIL, PASSWORD).cookies[auth.COOKIE_NAME]
    assert auth.user_for_token(token) is not None
    response = client.post(
        "/auth/logout", headers={"Origin": ORIGIN, "Cookie": f"{auth.COOKIE_NAME}={token}"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    cleared = response.headers["set-cookie"].lower()
    assert cleared.startswith(f"{auth.COOKIE_NAME}=")
    assert "max-age=0" in cleared
    assert auth.user_for_token(token) is None


def test_cross_site_logout_is_refused(client, ada):
    token = _login(client, EMAIL, PASSWORD).cookies[auth.COOKIE_NAME]
    client.cookies.clear()
    response = client.post(
        "/auth/logout",
        headers={"Origin": "http://evil.example", "Cookie": f"{auth.COOKIE_NAME}={token}"},
    )
    assert response.status_code == 403
    assert auth.user_for_token(token) is not None
