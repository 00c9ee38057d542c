"""ASGI middleware for logs and metrics: a request id for each HTTP request, and the count of
open browser websockets.

RequestIdMiddleware takes the caller's `X-Request-ID` when it is short and made of safe
characters (letters, digits, `._:-`, at most 64), else makes one; it is in every log line of
the request (services/platform/log_context.py), goes into the meta of the jobs the request
queues, and is echoed in the response's `X-Request-ID` header.

WebsocketGauge counts the Reflex event sockets this process has accepted and not yet closed.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lumikb_app.domain import log_context
from lumikb_app.services.platform.telemetry import WEBSOCKET_CONNECTIONS

log = logging.getLogger(__name__)

HEADER = "X-Request-ID"
# Requests to these get an INFO line; the rest (the UI's files, probes, scrapes) a DEBUG one.
_LOGGED_PREFIXES = ("/api/", "/auth/", "/_upload")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = log_context.safe_request_id(Headers(scope=scope).get(HEADER))
        status, started = 500, time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with log_context.scope(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                _access_line(scope, status, time.perf_counter() - started)


def _access_line(scope: Scope, status: int, seconds: float) -> None:
    """One line per API request (the path only: a query string may carry a token)."""
    path = scope.get("path", "")
    level = logging.INFO if path.startswith(_LOGGED_PREFIXES) else logging.DEBUG
    log.log(level, "%s %s %s %.3f s", scope.get("method"), path[:200], status, seconds)


class WebsocketGauge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        accepted = False

        async def send_and_count(message: Message) -> None:
            nonlocal accepted
            await send(message)
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKET_CONNECTIONS.inc()

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            if accepted:
                WEBSOCKET_CONNECTIONS.dec()
