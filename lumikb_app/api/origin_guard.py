"""Which browser pages may use the session: websocket handshakes and CORS answers.

Reflex's event socket acts on the session cookie its handshake carries, and browsers attach
that cookie for any page on the same site, another port of the same host included
(cross-site websocket hijacking). Browsers always send Origin on a websocket handshake, so a
foreign one is refused before the socket opens. Clients that send no Origin (scripts) carry no
browser cookie and pass.

CORS: Reflex answers credentialed CORS for ALLOWED_ORIGINS only (rxconfig.py). Unset, this
middleware lets the app's own origin read its answers too, and nothing else.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lumikb_app.api.request_info import origin_allowed

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008


class OriginGuard:
    """Pure ASGI middleware. Closing a websocket before accepting it makes the server answer 403."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        origin = connection.headers.get("origin")
        allowed = origin is not None and origin_allowed(connection, origin)
        if scope["type"] == "websocket":
            if origin is not None and not allowed:
                log.warning("websocket handshake from origin %r refused", origin[:200])
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": POLICY_VIOLATION})
                return
            await self.app(scope, receive, send)
            return
        if not allowed:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = origin or ""
                headers["Access-Control-Allow-Credentials"] = "true"
                headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)
