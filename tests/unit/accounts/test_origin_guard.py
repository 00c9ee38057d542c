"""The origin guard in front of every route and the Reflex socket: a page of another origin
cannot open a websocket, and only allowed origins get a credentialed CORS answer."""

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from lumikb_app.api.origin_guard import OriginGuard
from lumikb_app.container import reset_container

pytestmark = pytest.mark.unit

OWN = "http://testserver"
OTHER_PORT = "http://testserver:8080"  # same site, other origin: gets Lax cookies


async def _socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello " + websocket.headers.get("cookie", ""))
    await websocket.close()


async def _conversations(_request) -> PlainTextResponse:
    return PlainTextResponse("private")


@pytest.fixture
def client(data_dir) -> TestClient:
    app = Starlette(
        routes=[WebSocketRoute("/_event", _socket), Route("/api/v1/conversations", _conversations)]
    )
    app.add_middleware(OriginGuard)
    return TestClient(app, cookies={"lumikb_session": "signed-in"})


def test_the_apps_own_page_opens_the_socket(client):
    with client.websocket_connect("/_event", headers={"Origin": OWN}) as ws:
        assert ws.receive_text() == "hello lumikb_session=signed-in"


@pytest.mark.parametrize("origin", [OTHER_PORT, "https://evil.example", "null"])
def test_a_foreign_page_cannot_open_the_socket(client, origin):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/_event", headers={"Origin": origin}),
    ):
        pass
    assert refused.value.code == 1008


def test_a_script_without_an_origin_opens_the_socket(client):
    with client.websocket_connect("/_event") as ws:
        assert ws.receive_text().startswith("hello")


def test_only_allowed_origins_get_a_credentialed_cors_answer(client):
    own = client.get("/api/v1/conversations", headers={"Origin": OWN})
    assert own.headers["access-control-allow-origin"] == OWN
    assert own.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in own.headers["vary"]
    for origin in (OTHER_PORT, "https://evil.example"):
        foreign = client.get("/api/v1/conversations", headers={"Origin": origin})
        assert "access-control-allow-origin" not in foreign.headers


def test_with_allowed_origins_set_exactly_those_pass(client, monkeypatch):
    own = {"Origin": OWN}
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://kb.example.com")
    reset_container()
    with client.websocket_connect("/_event", headers={"Origin": "https://kb.example.com"}) as ws:
        assert ws.receive_text().startswith("hello")
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/_event", headers=own):
        pass
    listed = client.get("/api/v1/conversations", headers={"Origin": "https://kb.example.com"})
    assert listed.headers["access-control-allow-origin"] == "https://kb.example.com"
    unlisted = client.get("/api/v1/conversations", headers={"Origin": OWN})
    assert "access-control-allow-origin" not in unlisted.headers
