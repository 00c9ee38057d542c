"""A request's id follows it into the jobs it queues: the API request that changes a KB's
embedding model and the reindex job it starts (on the app's own job threads) log with one id.
A sign-in's password and session token never reach a log line."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lumikb_app.domain.models import ModelKind
from lumikb_app.services.accounts import api_tokens, auth
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform import logging_setup
from lumikb_app.services.platform.transactions import transaction
from tests.model_registry import register

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app_logs(migrated, monkeypatch) -> Iterator[tuple[TestClient, io.StringIO]]:
    monkeypatch.setenv("LUMIKB_ENV", "test")
    from lumikb_app.container import reset_container

    reset_container()
    stream = io.StringIO()
    logging_setup.configure_logging("DEBUG", "json", stream=stream)
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), base_url="http://localhost") as client:
        yield client, stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "lumikb"]:
        root.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _wait_for(stream: io.StringIO, message: str, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = _lines(stream)
        if any(message in line["message"] for line in lines):
            return lines
        time.sleep(0.1)
    raise AssertionError(f"no log line says {message!r}")


def test_the_job_a_request_queues_logs_with_the_requests_id(app_logs):
    client, stream = app_logs
    with transaction() as session:
        owner = auth.create_user(session, email="kim@x.io", display_name="K", password=None)
    kb_id = kbs.create_kb(owner, "Ops").id
    embedder = register(ModelKind.embedding, "fake/hash", name="Hash")
    token = api_tokens.create_token(owner, "script")[0]

    response = client.put(
        f"/api/v1/kbs/{kb_id}/models",
        json={"embedding_model": embedder},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-reindex-1"},
    )
    assert response.status_code == 200 and response.json()["reindexing"] is True
    assert response.headers["x-request-id"] == "req-reindex-1"

    lines = _wait_for(stream, "job reindex_kb finished")
    ours = [line for line in lines if line.get("request_id") == "req-reindex-1"]
    access = [line for line in ours if "PUT /api/v1/kbs/" in line["message"]]
    job = [line for line in ours if line["message"].startswith("job reindex_kb")]
    assert len(access) == 1 and access[0]["user_id"] == owner.id
    assert [line["message"].split(" in ")[0] for line in job] == [
        "job reindex_kb started",
        "job reindex_kb finished",
    ]
    assert {line["kb_id"] for line in job[1:]} == {kb_id}
    assert len({line["job_id"] for line in job}) == 1
    assert token not in stream.getvalue()


def test_a_sign_in_never_logs_its_password_or_session(app_logs):
    client, stream = app_logs
    with transaction() as session:
        auth.create_user(session, email="ann@x.io", display_name="A", password=PASSWORD)
    wrong = client.post(
        "/auth/login",
        data={"email": "ann@x.io", "password": PASSWORD + "-typo"},
        headers={"Origin": "http://localhost"},
        follow_redirects=False,
    )
    right = client.post(
        "/auth/login",
        data={"email": "ann@x.io", "password": PASSWORD},
        headers={"Origin": "http://localhost"},
        follow_redirects=False,
    )
    assert wrong.status_code == right.status_code == 303
    cookie = right.cookies.get(auth.COOKIE_NAME)
    assert cookie
    client.get("/api/v1/kbs", cookies={auth.COOKIE_NAME: cookie})
    text = stream.getvalue()
    assert "POST /auth/login 303" in text  # the requests were logged
    assert PASSWORD not in text and cookie not in text
