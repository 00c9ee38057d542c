"""A deployment for the drafting REST tests: the real app factory and stores (SQLite or
PostgreSQL, qdrant-edge, blobs in a temp DATA_DIR, the embedded job queue), documents ingested
through the real pipeline with the fake embedder, and no chat model (sections are extractive).
Helpers sign people in with API tokens and session cookies, and wait for a draft's generation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient

from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.services.accounts import api_tokens, auth
from tests.integration.documents.ingest_helpers import upload_bytes, wait_until_settled
from tests.integration.embedded_deployment import embedded_deployment

PASSWORD = "a long enough secret"
ORIGIN = "http://testserver"
BUSY = {"queued", "generating"}


@contextmanager
def deployment(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on an embedded deployment with `database` ('sqlite' or 'postgresql')."""
    with embedded_deployment(database, tmp_path_factory.mktemp("drafting-api") / "data"):
        from lumikb_app.api.app import create_api

        with TestClient(create_api(), follow_redirects=False) as client:
            yield client


def person(email: str, role: SystemRole = SystemRole.member) -> User:
    with get_container().db.session() as session:
        user = auth.create_user(
            session, email=email, display_name=email.split("@")[0].title(), password=PASSWORD,
            role=role,
        )  # fmt: skip
        session.commit()
        session.refresh(user)
        session.expunge(user)
        return user


def token_of(user: User) -> str:
    return api_tokens.create_token(user, "drafting tests")[0]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cookie(user: User) -> dict[str, str]:
    """A new signed-in session of `user`, as the browser sends it from our own pages."""
    session = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    return {"Cookie": f"{auth.COOKIE_NAME}={session}", "Origin": ORIGIN}


def ingest(owner: User, kb_id: str, files: dict[str, bytes]) -> list[str]:
    ids = [upload_bytes(owner, kb_id, name, data).stored_id for name, data in files.items()]
    assert {d.status for d in wait_until_settled(ids).values()} == {"ready"}
    return ids


def wait_for_generation(
    client: TestClient, headers: dict[str, str], draft_id: str, timeout: float = 180
) -> dict:
    """The draft once no section is queued or being written (as the API shows it)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/v1/drafts/{draft_id}", headers=headers)
        assert response.status_code == 200, response.text
        draft = response.json()
        if not any(s["generation_state"] in BUSY for s in draft["sections"]):
            return draft
        if time.monotonic() > deadline:
            states = [(s["title"][:30], s["generation_state"]) for s in draft["sections"]]
            raise AssertionError(f"generation did not finish in {timeout} s: {states}")
        time.sleep(0.25)


def detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        return response.text
