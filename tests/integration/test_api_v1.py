"""REST API v1 against the real app factory and real stores (SQLite + qdrant-edge in a temp
DATA_DIR), with documents ingested through the real pipeline by a fake embedding model and
answers written by the deterministic fake chat model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.common import utcnow
from lumikb_app.db.tables import ApiToken, ChatMessage, Conversation, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import api_tokens, auth, grants
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.settings import Settings
from tests.integration.documents.ingest_helpers import upload_bytes, wait_for, wait_until_settled
from tests.model_registry import no_default_chat_model

pytestmark = pytest.mark.integration

PASSWORD = "a long enough secret"
ORIGIN = "http://testserver"
HANDBOOK = (
    "# Release handbook\n\n## Signing\n\nRelease builds are signed with the hardware key kept "
    "by the release manager. Every release checklist starts with a signed build.\n"
)
MERGER = (
    "Release checklist for the merger: release builds are signed with the hardware key in the "
    "vault. Project PELICAN: the acquisition of Northwind closes in March.\n"
)
SECRET_WORDS = ("PELICAN", "Northwind", "merger")
FOREIGN_ONLY = ("PELICAN", "Northwind", "vault", "acquisition")


@dataclass
class World:
    client: TestClient
    alice: User  # READ on Engineering only
    bob: User  # owns Mergers; no grant on Engineering
    engineering: str
    mergers: str
    alice_token: str
    bob_token: str


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    with pytest.MonkeyPatch.context() as env:
        for name in Settings.model_fields:
            env.delenv(name, raising=False)
        env.setenv("DATA_DIR", str(tmp_path_factory.mktemp("api-v1") / "data"))
        env.setenv("LUMIKB_ENV", "test")
        env.setenv("LLM_MODEL", "fake/instant")  # seeds the registry's default chat model
        reset_container()
        from lumikb_app.api.app import create_api
        from lumikb_app.db.migrate import upgrade

        upgrade()
        embedder = FakeEmbedder()
        env.setattr(get_container(), "embedder_for", lambda model: embedder)
        with get_container().db.session() as session:
            owner = auth.create_user(
                session, email="owner@x.io", display_name="O", password=PASSWORD
            )
            alice = auth.create_user(
                session, email="alice@x.io", display_name="A", password=PASSWORD
            )
            bob = auth.create_user(session, email="bob@x.io", display_name="B", password=PASSWORD)
            session.commit()
        engineering = kbs.create_kb(owner, "Engineering").id
        mergers = kbs.create_kb(bob, "Mergers").id
        grants.set_grant(owner, engineering, alice.email, KbRole.READ)
        handbook = upload_bytes(owner, engineering, "handbook.md", HANDBOOK.encode())
        merger = upload_bytes(bob, mergers, "merger-plan.txt", MERGER.encode())
        settled = wait_until_settled([handbook.document_id, merger.document_id])
        assert {d.status for d in settled.values()} == {"ready"}
        with TestClient(create_api(), follow_redirects=False) as client:
            yield World(
                client,
                alice,
                bob,
                engineering,
                mergers,
                api_tokens.create_token(alice, "alice script")[0],
                api_tokens.create_token(bob, "bob script")[0],
            )
        reset_container()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post_json(world: World, path: str, token: str, body: dict):
    """JSON as most clients send it: non-ASCII escaped, so a lone surrogate arrives as \\ud800."""
    headers = {**_bearer(token), "Content-Type": "application/json"}
    return world.client.post(path, content=json.dumps(body), headers=headers)


def _search(world: World, token: str, **body):
    return _post_json(world, "/api/v1/search", token, body)


def _events(text: str) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (kind, data) pairs."""
    parsed = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        parsed.append((fields["event"], json.loads(fields["data"])))
    return parsed


def _chat(world: World, token: str, **body):
    return _post_json(world, "/api/v1/chat", token, body)


def _count(table) -> int:
    with get_container().db.session() as session:
        return session.exec(select(func.count()).select_from(table)).one()


# --- who may call -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/search", {"query": "release"}),
        ("POST", "/api/v1/chat", {"question": "How are releases signed?"}),
        ("GET", "/api/v1/kbs", None),
        ("GET", "/api/v1/conversations", None),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lkb_made-up"}, {"Authorization": "Basic YTpi"}],
    ids=["no token", "unknown token", "not bearer"],
)
def test_without_a_valid_token_every_route_is_401(world, method, path, body, headers):
    before = _count(Conversation), _count(ChatMessage)
    response = world.client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]
    assert (_count(Conversation), _count(ChatMessage)) == before


def test_a_revoked_token_is_401_at_once(world):
    plaintext, token = api_tokens.create_token(world.alice, "short-lived")
    assert _search(world, plaintext, query="release").status_code == 200
    api_tokens.revoke_token(world.alice, token.id)
    response = _search(world, plaintext, query="release")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_expired_token_is_401(world):
    plaintext, token = api_tokens.create_token(world.alice, "expiring", 1)
    with get_container().db.session() as session:
        row = session.get(ApiToken, token.id)
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        session.commit()
    assert _search(world, plaintext, query="release").status_code == 401


def test_a_bad_token_is_not_rescued_by_a_session_cookie(world):
    world.client.cookies.set(auth.COOKIE_NAME, auth.login("alice@x.io", PASSWORD).token)
    try:
        response = world.client.get("/api/v1/kbs", headers=_bearer("lkb_wrong"))
        assert response.status_code == 401
        assert world.client.get("/api/v1/kbs").status_code == 200
    finally:
        world.client.cookies.clear()


def test_a_session_cookie_works_but_its_posts_must_come_from_our_own_pages(world):
    world.client.cookies.set(auth.COOKIE_NAME, auth.login("alice@x.io", PASSWORD).token)
    try:
        cross_site = world.client.post(
            "/api/v1/search", json={"query": "release"}, headers={"Origin": "https://evil.example"}
        )
        no_origin = world.client.post("/api/v1/search", json={"query": "release"})
        same_site = world.client.post(
            "/api/v1/search", json={"query": "release"}, headers={"Origin": ORIGIN}
        )
    finally:
        world.client.cookies.clear()
    assert cross_site.status_code == no_origin.status_code == 403
    assert same_site.status_code == 200 and same_site.json()["results"]


# --- search -----------------------------------------------------------------------------------


def test_bearer_search_returns_passages_with_where_they_are_and_why(world):
    response = _search(world, world.alice_token, query="hardware key signed release builds")
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "hardware key signed release builds"
    assert body["took_ms"] >= 0
    top = body["results"][0]
    assert top["document_name"] == "handbook.md" and top["kb_name"] == "Engineering"
    assert top["kb_id"] == world.engineering
    assert "hardware key" in top["text"] and "hardware key" in top["snippet"]
    assert {"hardware", "key"} <= set(top["matched_terms"])
    assert top["keyword"] is True
    assert top["url"] == f"/view/{top['document_id']}?chunk={top['chunk_id']}&page=&version=1"
    assert top["page"] is None


def test_search_never_returns_a_kb_the_caller_may_not_read(world):
    for query in ("Release checklist hardware key vault", "PELICAN Northwind merger"):
        for body in (
            {},
            {"kb_ids": [world.mergers]},
            {"kb_ids": [world.mergers, world.engineering]},
        ):
            response = _search(world, world.alice_token, query=query, **body)
            assert response.status_code == 200
            results = response.json()["results"]
            assert all(r["kb_id"] == world.engineering for r in results)
            assert not any(word in r["text"] for r in results for word in SECRET_WORDS)
    # The other way round: Bob owns the merger plan and finds it, never Alice's KB.
    bobs = _search(world, world.bob_token, query="Release checklist hardware key").json()["results"]
    assert bobs and {r["kb_id"] for r in bobs} == {world.mergers}


def test_results_carry_a_calibrated_relevance_the_page_shows_too(world):
    found = _search(world, world.alice_token, query="Release checklist hardware key vault")
    results = found.json()["results"]
    assert results and all(0.0 <= r["relevance"] <= 1.0 for r in results)
    assert max(r["relevance"] for r in results) > 0.0


def test_a_forbidden_kb_filter_looks_like_an_empty_one(world):
    forbidden = _search(world, world.alice_token, query="PELICAN", kb_ids=[world.mergers])
    missing = _search(world, world.alice_token, query="PELICAN", kb_ids=["no-such-kb"])
    assert forbidden.status_code == missing.status_code == 200
    assert forbidden.json()["results"] == missing.json()["results"] == []


def test_kbs_lists_only_what_the_caller_may_read(world):
    alices = world.client.get("/api/v1/kbs", headers=_bearer(world.alice_token)).json()
    bobs = world.client.get("/api/v1/kbs", headers=_bearer(world.bob_token)).json()
    assert [kb["name"] for kb in alices] == ["Engineering"]
    assert [kb["name"] for kb in bobs] == ["Mergers"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": ""}, "Type a word or a question"),
        ({"query": "   "}, "Type a word or a question"),
        ({"query": "x" * 5000}, "characters"),
        ({}, "Field required"),
        ({"query": "release", "limit": 0}, "greater than or equal to 1"),
        ({"query": "release", "kb_ids": "not-a-list"}, "valid list"),
        ({"query": "release", "surprise": True}, "Extra inputs"),
        ({"query": "release", "doc_types": ["spreadsheet-ish"]}, "Unknown document type"),
        ({"query": "style \ud800 guide"}, "cannot be stored"),
        ({"query": "style \x00 guide"}, "cannot be stored"),
        ({"query": "release", "kb_ids": ["\udfff"]}, "cannot be stored"),
    ],
)
def test_bad_search_input_is_a_clear_422(world, body, fragment):
    response = _search(world, world.alice_token, **body)
    assert response.status_code == 422
    assert fragment.lower() in json.dumps(response.json()).lower()


# --- chat -------------------------------------------------------------------------------------


def test_chat_streams_tokens_then_done_and_every_citation_is_a_retrieved_passage(world):
    question = "How are release builds signed?"
    response = _chat(world, world.alice_token, question=question)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "status" and events[0][1]["conversation_id"]
    assert kinds[-1] == "done" and "error" not in kinds
    assert "token" in kinds and kinds.index("token") < kinds.index("done")
    done = events[-1][1]
    assert done["conversation_id"] == events[0][1]["conversation_id"]
    assert "".join(data["text"] for kind, data in events if kind == "token") == done["content"]
    citations = [data for kind, data in events if kind == "citation"]
    assert citations and citations == done["citations"]
    source_chunks = {s["chunk_id"] for s in done["sources"]}
    found = _search(world, world.alice_token, query=question).json()["results"]
    for citation in citations:
        assert f"[{citation['n']}]" in done["content"]
        assert citation["chunk_id"] in source_chunks
        assert citation["chunk_id"] in {r["chunk_id"] for r in found}
        assert citation["href"].startswith(f"/view/{citation['document_id']}?chunk=")


@pytest.fixture
def no_chat_model(world):
    with no_default_chat_model():
        yield


def test_without_a_model_chat_streams_a_cited_extractive_answer(world, no_chat_model):
    response = _chat(world, world.alice_token, question="How are release builds signed?")
    events = _events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds.count("token") > 1 and kinds[-1] == "done"
    done = events[-1][1]
    assert done["mode"] == "extractive"
    assert "hardware key" in done["content"] and "[1]" in done["content"]
    assert done["citations"][0]["document_name"] == "handbook.md"


def test_chat_never_shows_a_passage_from_a_kb_the_caller_may_not_read(world):
    question = "Where is the hardware key for release builds kept?"  # both documents match
    alices = _events(_chat(world, world.alice_token, question=question).text)
    assert not any(word in json.dumps(alices) for word in FOREIGN_ONLY)
    done = alices[-1][1]
    assert done["sources"] and all(s["kb_id"] == world.engineering for s in done["sources"])
    assert all(c["kb_id"] == world.engineering for c in done["citations"])
    # The same question from the merger plan's owner does bring it up.
    bobs = _events(_chat(world, world.bob_token, question=question).text)
    assert "vault" in json.dumps(bobs)
    assert {s["kb_id"] for s in bobs[-1][1]["sources"]} == {world.mergers}


def test_chat_limited_to_a_forbidden_kb_is_404_and_stores_nothing(world):
    before = _count(Conversation), _count(ChatMessage)
    response = _chat(world, world.alice_token, question="What is PELICAN?", kb_ids=[world.mergers])
    assert response.status_code == 404
    assert not any(word in response.text for word in SECRET_WORDS)
    assert (_count(Conversation), _count(ChatMessage)) == before


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": ""}, "Type a question first."),
        ({"question": "   "}, "Type a question first."),
        ({"question": "x" * 4001}, "at most 4000 characters"),
        ({}, "Field required"),
        ({"question": "hi", "conversation_id": "c", "kb_ids": []}, "new conversation"),
        ({"question": "hi", "model": "gpt"}, "Extra inputs"),
        ({"question": "style \ud800 guide"}, "cannot be stored"),
        ({"question": "style \x00 guide"}, "cannot be stored"),
        ({"question": "hi", "conversation_id": "\ud800"}, "cannot be stored"),
    ],
)
def test_bad_chat_input_is_a_clear_422_and_nothing_is_stored(world, body, fragment):
    before = _count(Conversation), _count(ChatMessage)
    response = _chat(world, world.alice_token, **body)
    assert response.status_code == 422
    assert fragment.lower() in json.dumps(response.json()).lower()
    assert (_count(Conversation), _count(ChatMessage)) == before


# --- conversations ----------------------------------------------------------------------------


def test_a_chat_is_kept_as_a_conversation_only_its_owner_can_read_or_continue(world):
    first = _events(_chat(world, world.alice_token, question="How are release builds signed?").text)
    conversation_id = first[0][1]["conversation_id"]
    alices = world.client.get("/api/v1/conversations", headers=_bearer(world.alice_token)).json()
    assert alices[0]["id"] == conversation_id
    path = f"/api/v1/conversations/{conversation_id}/messages"
    messages = world.client.get(path, headers=_bearer(world.alice_token)).json()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "How are release builds signed?"
    assert messages[1]["content"] == first[-1][1]["content"]
    assert messages[1]["citations"] == first[-1][1]["citations"]

    follow_up = _chat(
        world, world.alice_token, question="Who keeps it?", conversation_id=conversation_id
    )
    assert _events(follow_up.text)[-1][0] == "done"
    assert len(world.client.get(path, headers=_bearer(world.alice_token)).json()) == 4

    bobs = world.client.get("/api/v1/conversations", headers=_bearer(world.bob_token)).json()
    assert conversation_id not in {c["id"] for c in bobs}
    forbidden = world.client.get(path, headers=_bearer(world.bob_token))
    missing = world.client.get(
        "/api/v1/conversations/00000000-0000-0000-0000-000000000000/messages",
        headers=_bearer(world.bob_token),
    )
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert "signed" not in forbidden.text
    before = _count(ChatMessage)
    hijack = _chat(world, world.bob_token, question="Tell me more", conversation_id=conversation_id)
    assert hijack.status_code == 404 and hijack.json() == missing.json()
    assert _count(ChatMessage) == before


# --- docs -------------------------------------------------------------------------------------


def test_conversations_come_a_page_at_a_time_with_the_next_cursor_in_a_header(world):
    with get_container().db.session() as session:
        bob = session.exec(select(User).where(User.id == world.bob.id)).one()
        session.add_all([Conversation(user_id=bob.id, title=f"Bob {i}") for i in range(60)])
        session.commit()
        newest_first = sorted(
            session.exec(select(Conversation).where(Conversation.user_id == bob.id)),
            key=lambda c: (c.updated_at, c.created_at, c.id),
            reverse=True,
        )
    pages, url = [], "/api/v1/conversations?limit=25"
    while url:
        response = world.client.get(url, headers=_bearer(world.bob_token))
        assert response.status_code == 200, response.text
        pages.append([c["id"] for c in response.json()])
        cursor = response.headers.get("X-Next-Cursor")
        url = f"/api/v1/conversations?limit=25&cursor={cursor}" if cursor else ""
        assert (
            (url in response.headers.get("Link", "")) if cursor else "Link" not in response.headers
        )
    assert [i for page in pages for i in page] == [c.id for c in newest_first]
    assert all(len(page) == 25 for page in pages[:-1]) and 0 < len(pages[-1]) <= 25
    first = world.client.get("/api/v1/conversations", headers=_bearer(world.bob_token)).json()
    assert [c["id"] for c in first] == [c.id for c in newest_first[:50]]  # default page: 50


@pytest.mark.parametrize(
    "query, reason",
    [
        ("limit=0", "greater than or equal to 1"),
        ("limit=201", "less than or equal to 200"),
        ("limit=many", "valid integer"),
        ("cursor=not-a-cursor", "cursor is not valid"),
        ("cursor=" + "x" * 400, "at most 300 characters"),
    ],
)
def test_a_bad_page_size_or_cursor_is_refused_with_a_reason(world, query, reason):
    response = world.client.get(f"/api/v1/conversations?{query}", headers=_bearer(world.bob_token))
    assert response.status_code == 422
    assert reason in json.dumps(response.json())


def test_openapi_describes_the_v1_routes_with_bearer_auth_and_hides_internal_ones(world):
    schema = world.client.get("/api/openapi.json").json()
    assert {"/api/v1/search", "/api/v1/chat", "/api/v1/kbs"} <= set(schema["paths"])
    assert not any(p.startswith(("/auth", "/health", "/metrics")) for p in schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["ApiToken"]["description"],
    }
    search = schema["paths"]["/api/v1/search"]["post"]
    assert search["security"] == [{"ApiToken": []}]
    assert (
        "text/event-stream"
        in schema["paths"]["/api/v1/chat"]["post"]["responses"]["200"]["content"]
    )
    assert world.client.get("/api/docs").status_code == 200


# --- a client that goes away ------------------------------------------------------------------


@pytest.fixture
def live_url(world, monkeypatch) -> Iterator[str]:
    """The same app served by uvicorn on a loopback port (TestClient cannot hang up mid-stream),
    with a slow model so that the answer is still being written when the client leaves."""
    import socket
    import threading

    import uvicorn

    from lumikb_app.adapters.fake_chat import FakeChatModel
    from lumikb_app.api.app import create_api

    slow = FakeChatModel(delay=0.1)
    monkeypatch.setattr(get_container(), "chat_model_for", lambda spec: slow)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_api(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, timeout=30, what="uvicorn to start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def _last_answer(conversation_id: str) -> ChatMessage | None:
    with get_container().db.session() as session:
        return session.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id, ChatMessage.role == "assistant")
            .order_by(ChatMessage.created_at.desc())
        ).first()


def test_when_the_client_hangs_up_the_answer_stops_and_is_kept_as_stopped(world, live_url):
    import httpx

    conversation_id = None
    with httpx.stream(
        "POST",
        f"{live_url}/api/v1/chat",
        json={"question": "How are release builds signed?"},
        headers=_bearer(world.alice_token),
        timeout=30,
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: ") and conversation_id is None:
                conversation_id = json.loads(line[6:])["conversation_id"]
            if line == "event: token":
                break  # hang up while the answer is still being written
    wait_for(
        lambda: (_last_answer(conversation_id) or ChatMessage(role="x")).status == "stopped",
        timeout=30,
        what="the answer to be stored as stopped",
    )
    answer = _last_answer(conversation_id)
    assert answer.status == "stopped"
