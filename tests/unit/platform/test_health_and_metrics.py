"""`GET /health` tells anonymous callers the status and each backend's ok, administrators the
detail; probes time out and never pile up. `GET /metrics` answers loopback, or METRICS_TOKEN."""

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lumikb_app.container import get_container, reset_container
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import api_tokens, auth
from lumikb_app.services.platform import health
from lumikb_app.services.platform.health import BACKENDS

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
LOOPBACK = ("127.0.0.1", 40000)
SECRET_ERROR = "connection to server at db.internal (10.1.2.3), user lumikb: refused"
TOKEN = "scrape-me-please-0123456789"


def _client(**kwargs) -> TestClient:
    from lumikb_app.api.app import create_api

    return TestClient(create_api(), follow_redirects=False, **kwargs)


@pytest.fixture
def client(migrated) -> Iterator[TestClient]:
    with _client() as test_client:
        yield test_client


def _person(role: SystemRole) -> str:
    """A signed-in person of that role: their session token."""
    email = f"{role.value}@example.com"
    with get_container().db.session() as session:
        auth.create_user(
            session, email=email, display_name=role.value, password=PASSWORD, role=role
        )
        session.commit()
    return auth.login(email, PASSWORD, ip="10.0.0.9").token


@pytest.fixture
def database_down(migrated, monkeypatch):
    def broken():
        raise ConnectionError(SECRET_ERROR)

    monkeypatch.setattr(get_container().db, "health", broken)


def test_a_fresh_embedded_install_is_healthy_and_anyone_gets_each_backends_ok_only(client):
    response = client.get("/health")
    body = response.json()
    assert response.status_code == 200, body
    assert body == {"status": "ok", "backends": {name: {"ok": True} for name in BACKENDS}}
    assert response.headers["cache-control"] == "no-store"


def test_an_anonymous_health_check_holds_no_exception_text(client, database_down, caplog):
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "backends": {name: {"ok": name != "database"} for name in BACKENDS},
    }
    for leak in ("db.internal", "10.1.2.3", "lumikb", "ConnectionError", "refused"):
        assert leak not in response.text
    assert SECRET_ERROR in caplog.text  # the operator finds it in the log


def test_a_member_gets_no_more_than_anyone(client, database_down):
    client.cookies.set(auth.COOKIE_NAME, _person(SystemRole.member))
    response = client.get("/health")
    assert SECRET_ERROR not in response.text
    assert set(response.json()) == {"status", "backends"}


def test_an_administrator_gets_modes_errors_and_latencies(client, database_down):
    client.cookies.set(auth.COOKIE_NAME, _person(SystemRole.admin))
    body = client.get("/health", headers={"Sec-Fetch-Site": "same-origin"}).json()
    assert body["mode"] == "embedded" and body["single_process"] is True
    database = body["backends"]["database"]
    assert database["ok"] is False and SECRET_ERROR in database["error"]
    assert database["mode"] == "embedded"
    assert isinstance(body["backends"]["blobs"]["latency_ms"], float)
    # Another site's page does not get the detail with the admin's cookie.
    foreign = client.get("/health", headers={"Sec-Fetch-Site": "same-site"})
    assert SECRET_ERROR not in foreign.text


def test_an_administrators_api_token_reads_the_detail(client, database_down):
    admin = auth.user_for_token(_person(SystemRole.admin))
    assert admin is not None
    token, _ = api_tokens.create_token(admin, "monitoring", 30)
    response = client.get("/health", headers={"Authorization": f"Bearer {token}"})
    assert SECRET_ERROR in response.json()["backends"]["database"]["error"]
    wrong = client.get("/health", headers={"Authorization": "Bearer lkb_not-a-real-token"})
    assert SECRET_ERROR not in wrong.text


def test_a_hung_probe_is_reported_and_never_piles_up(client, migrated, monkeypatch):
    release, calls = threading.Event(), []

    def hung() -> None:
        calls.append(1)
        release.wait(30)

    monkeypatch.setattr(get_container().db, "health", hung)
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)
    try:
        for _ in range(5):
            body = client.get("/health").json()
            assert body["backends"]["database"] == {"ok": False}
            assert body["backends"]["blobs"] == {"ok": True}
        assert len(calls) == 1  # later checks wait for the running probe instead of a new one
    finally:
        release.set()
    health._running["database"][0].result(timeout=10)
    monkeypatch.undo()
    assert client.get("/health").json()["backends"]["database"] == {"ok": True}


# --- /metrics --------------------------------------------------------------------------------


def test_metrics_from_the_machine_itself_is_prometheus_text(migrated):
    with _client(client=LOOPBACK) as local:
        local.get("/health")
        response = local.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in BACKENDS:
        assert f'lumikb_backend_up{{backend="{name}",mode="embedded"}}' in response.text
    assert 'lumikb_http_requests_total{method="GET",route="/health"' in response.text
    assert "lumikb_http_request_duration_seconds_bucket" in response.text


def test_metrics_refuses_everyone_else_without_a_token(migrated):
    with _client(client=("203.0.113.7", 5000)) as remote:
        refused = remote.get("/metrics")
        assert refused.status_code == 403 and "METRICS_TOKEN" in refused.text
    with _client(client=LOOPBACK) as via_local_proxy:
        # A proxy on the same host forwarding someone else's request: not local.
        forwarded = via_local_proxy.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        assert forwarded.status_code == 403
        assert "lumikb_backend_up" not in forwarded.text


def test_a_trusted_local_proxy_passes_only_local_clients(migrated, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    reset_container()
    with _client(client=LOOPBACK) as proxy:
        assert proxy.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 403
        assert proxy.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_with_metrics_token_set_every_scrape_sends_it(migrated, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", TOKEN)
    reset_container()
    with _client(client=("203.0.113.7", 5000)) as remote, _client(client=LOOPBACK) as local:
        assert remote.get("/metrics").status_code == 401
        assert remote.get("/metrics").headers["www-authenticate"] == "Bearer"
        wrong = remote.get(
            "/metrics", headers={"Authorization": "Bearer wrong-token-é".encode("latin-1")}
        )
        assert wrong.status_code == 401
        assert local.get("/metrics").status_code == 401
        scraped = remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert scraped.status_code == 200 and "lumikb_backend_up" in scraped.text
