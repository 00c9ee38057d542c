"""The per-question graph switch of REST search and chat, on a KB whose graph is built but not
used by default (graph retrieval is off until a KB admin turns it on)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.accounts import api_tokens
from lumikb_app.services.knowledge_bases import kbs
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import upload_path, wait_until_settled
from tests.integration.graph.graph_jobs import member, settled_stage

QUESTION = "What does PEP 526 add to the type hints of PEP 484?"


@pytest.fixture
def api(migrated):
    owner = member("rest@example.com")
    kb_id = kbs.create_kb(owner, "Typing", settings=KbSettings(graph_mode="fast")).id
    ids = [
        upload_path(owner, kb_id, CORPORA / "peps" / name).document_id
        for name in ("pep-0484.rst", "pep-0526.rst")
    ]
    wait_until_settled(ids)
    assert all(settled_stage(document_id).state == "ready" for document_id in ids)
    token = api_tokens.create_token(owner, "script")[0]
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), follow_redirects=False) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def _events(text: str) -> list[tuple[str, dict]]:
    blocks = [b for b in text.split("\n\n") if b.strip()]
    fields = [dict(line.split(": ", 1) for line in block.splitlines()) for block in blocks]
    return [(f["event"], json.loads(f["data"])) for f in fields]


def test_rest_search_fuses_the_graph_only_when_asked(api):
    client, headers = api
    default = client.post("/api/v1/search", json={"query": QUESTION}, headers=headers).json()
    asked = client.post(
        "/api/v1/search", json={"query": QUESTION, "graph": True}, headers=headers
    ).json()
    assert default["results"] and not any(r["via"] for r in default["results"])
    assert any(r["via"] for r in asked["results"])
    refused = client.post(
        "/api/v1/search", json={"query": QUESTION, "graph": "maybe"}, headers=headers
    )
    assert refused.status_code == 422


def test_rest_chat_cites_through_the_graph_when_asked(api):
    client, headers = api
    response = client.post(
        "/api/v1/chat", json={"question": QUESTION, "graph": True}, headers=headers
    )
    assert response.status_code == 200
    done = _events(response.text)[-1]
    assert done[0] == "done"
    assert any(source.get("via") for source in done[1]["sources"])
    plain = client.post("/api/v1/chat", json={"question": QUESTION}, headers=headers)
    assert not any(s.get("via") for s in _events(plain.text)[-1][1]["sources"])
