"""/api/v1/chat refuses with 429 and Retry-After, before storing anything, when every answer
place is taken or the caller is over their rate; the rate is counted in Redis across processes.
The app factory is the real one, on a fresh embedded deployment (SQLite, qdrant-edge)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from lumikb_app.adapters.redis_cache import RedisCache
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import ChatMessage, Conversation, User
from lumikb_app.services.accounts import api_tokens, auth
from lumikb_app.services.chat.answer_pool import BUSY, BUSY_RETRY_SECONDS, answer_pool

pytestmark = pytest.mark.integration

REDIS_URL = "redis://127.0.0.1:6379/15"
QUESTION = {"question": "How are release builds signed?"}


@dataclass
class Api:
    client: TestClient
    ada: User
    ada_token: str
    bob_token: str

    def chat(self, token: str):
        return self.client.post(
            "/api/v1/chat", json=QUESTION, headers={"Authorization": f"Bearer {token}"}
        )


def _stored() -> tuple[int, int]:
    with get_container().db.session() as session:
        conversations = session.exec(select(func.count()).select_from(Conversation)).one()
        messages = session.exec(select(func.count()).select_from(ChatMessage)).one()
    return conversations, messages


@pytest.fixture
def api(migrated, monkeypatch) -> Iterator[Api]:
    def start(**settings: int) -> Api:
        for name, value in settings.items():
            monkeypatch.setenv(name, str(value))
        reset_container()
        from lumikb_app.api.app import create_api

        with get_container().db.session() as session:
            ada = auth.create_user(session, email="ada@x.io", display_name="A", password="x" * 12)
            bob = auth.create_user(session, email="bob@x.io", display_name="B", password="x" * 12)
            session.commit()
        client = TestClient(create_api(), follow_redirects=False).__enter__()
        started.append(client)
        ada_token = api_tokens.create_token(ada, "ada script")[0]
        return Api(client, ada, ada_token, api_tokens.create_token(bob, "bob script")[0])

    started: list[TestClient] = []
    yield start
    for client in started:
        client.__exit__(None, None, None)


def test_when_every_place_is_taken_chat_is_429_busy_and_nothing_is_stored(api):
    app = api(CHAT_MAX_STREAMS=1)
    held = answer_pool().reserve()  # another answer is being written
    before = _stored()

    refused = app.chat(app.ada_token)

    assert refused.status_code == 429
    assert refused.json() == {"detail": BUSY}
    assert refused.headers["retry-after"] == str(BUSY_RETRY_SECONDS)
    assert _stored() == before
    held.release()
    answered = app.chat(app.ada_token)
    assert answered.status_code == 200 and "event: done" in answered.text
    assert answer_pool().in_use == 0


def test_over_the_rate_chat_is_429_with_when_to_try_again_and_nothing_is_stored(api):
    app = api(CHAT_RATE_LIMIT=2, CHAT_RATE_WINDOW_SECONDS=60)
    for _ in range(2):
        assert app.chat(app.ada_token).status_code == 200
    before = _stored()

    refused = app.chat(app.ada_token)

    assert refused.status_code == 429
    assert refused.json()["detail"].startswith(
        "You have reached your limit of 2 answers in 1 minute."
    )
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert _stored() == before
    assert app.chat(app.bob_token).status_code == 200  # Bob has his own count


def test_the_rate_is_one_count_across_app_processes(api, monkeypatch):
    """Two Redis clients stand for two app processes: answers asked of either count together."""
    prefix = f"lumikb:test:{uuid.uuid4().hex}:"
    here, elsewhere = RedisCache(REDIS_URL, prefix=prefix), RedisCache(REDIS_URL, prefix=prefix)
    try:
        app = api(CHAT_RATE_LIMIT=2)
        monkeypatch.setitem(get_container().__dict__, "cache", here)
        assert app.chat(app.ada_token).status_code == 200
        elsewhere.incr(f"chat-answers:{app.ada.id}", 60)  # what another process's admission does

        assert app.chat(app.ada_token).status_code == 429
    finally:
        for key in here.redis.scan_iter(match=prefix + "*"):
            here.redis.delete(key)
        here.close()
        elsewhere.close()
