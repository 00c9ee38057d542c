"""Metrics the middleware and the job wrapper keep: open websockets rise and fall with the
connections, and a failed job attempt is counted under its queue and name, then re-raised."""

from __future__ import annotations

import contextlib

import pytest
from fastapi import WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from lumikb_app.services.platform.telemetry import JOB_FAILURES, WEBSOCKET_CONNECTIONS
from workers import tasks

pytestmark = pytest.mark.unit


def _open_sockets() -> float:
    return WEBSOCKET_CONNECTIONS._value.get()


def test_open_websockets_are_counted_until_they_close(migrated):
    from lumikb_app.api.app import create_api

    api = create_api()

    @api.websocket("/_event_test")
    async def echo(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text(await socket.receive_text())
        with contextlib.suppress(WebSocketDisconnect):
            await socket.receive_text()  # until the client closes

    start = _open_sockets()
    with TestClient(api) as client, client.websocket_connect("/_event_test") as first:
        first.send_text("hi")
        assert first.receive_text() == "hi"
        with client.websocket_connect("/_event_test") as second:
            second.send_text("hi")
            second.receive_text()
            assert _open_sockets() == start + 2
        assert _open_sockets() == start + 1
    assert _open_sockets() == start


def test_a_refused_websocket_is_not_counted(migrated):
    from lumikb_app.api.app import create_api

    start = _open_sockets()
    evil = {"Origin": "http://evil.example"}
    with (
        TestClient(create_api()) as client,
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/_event", headers=evil),
    ):
        pass
    assert _open_sockets() == start


def test_a_failed_job_attempt_is_counted_and_raised():
    @tasks.job_function
    def explode() -> None:
        raise ValueError("no")

    counter = JOB_FAILURES.labels(queue="none", job="explode")
    before = counter._value.get()
    with pytest.raises(ValueError):
        explode()
    assert counter._value.get() == before + 1


def test_worker_metrics_need_the_multiprocess_folder(tmp_path, monkeypatch):
    from lumikb_app.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="WORKER_METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR"):
        load_settings(WORKER_METRICS_PORT=9101)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert load_settings(WORKER_METRICS_PORT=9101).PROMETHEUS_MULTIPROC_DIR == tmp_path
