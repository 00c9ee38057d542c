"""`GET /metrics`: Prometheus text exposition, for the scraper only.

With METRICS_TOKEN set, every scrape must send `Authorization: Bearer <METRICS_TOKEN>`.
Without it, only a direct request from the machine itself (a loopback client address, no
forwarding headers from an untrusted proxy) is answered: a reverse proxy on the same host
would otherwise make everyone look local.

Counters live in the process-wide default registry. Embedded mode is one process; with
several Reflex workers (production), each worker answers for itself.
"""

from __future__ import annotations

import asyncio
import hmac
import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lumikb_app.api.request_info import behind_trusted_proxy, client_ip
from lumikb_app.container import get_container
from lumikb_app.domain.network import is_loopback
from lumikb_app.services.platform.health import check_all
from lumikb_app.services.platform.telemetry import refresh_queue_depths

router = APIRouter()

REQUESTS = Counter(
    "lumikb_http_requests_total",
    "HTTP requests answered by the LumiKB API routes.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "lumikb_http_request_duration_seconds",
    "Time to answer a request on the LumiKB API routes.",
    ["method", "route"],
)
LOGINS = Counter("lumikb_logins_total", "Password login attempts by outcome.", ["outcome"])
BACKEND_UP = Gauge(
    "lumikb_backend_up",
    "1 when the backend answered its health check at the last scrape.",
    ["backend", "mode"],
    multiprocess_mode="mostrecent",
)

# Only these path prefixes are counted: Reflex's own routes and static files pass through untouched.
_COUNTED_PREFIXES = ("/health", "/metrics", "/auth/", "/api/")


def record_login(outcome: str) -> None:
    LOGINS.labels(outcome=outcome).inc()


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


class RequestMetricsMiddleware:
    """Counts and times requests to the API routes (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(_COUNTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = {"code": 500}
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope.get("method", "GET")
            route = _route_label(scope)
            REQUESTS.labels(method=method, route=route, status=str(status["code"])).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)


FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
LOOPBACK_ONLY = "/metrics answers the local machine only; set METRICS_TOKEN to scrape it remotely."
TOKEN_NEEDED = "Send 'Authorization: Bearer <METRICS_TOKEN>'."


def _refusal(request: Request) -> Response | None:
    """Why this caller may not scrape, or None if it may."""
    token = get_container().settings.METRICS_TOKEN
    if token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        sent_token = sent.strip().encode() if scheme.lower() == "bearer" else b""
        if hmac.compare_digest(sent_token, token.encode()):
            return None
        headers = {"WWW-Authenticate": "Bearer"}
        return PlainTextResponse(TOKEN_NEEDED, status_code=401, headers=headers)
    forwarded = any(name in request.headers for name in FORWARDING_HEADERS)
    local = is_loopback(client_ip(request))
    if local and (not forwarded or behind_trusted_proxy(request)):
        return None
    return PlainTextResponse(LOOPBACK_ONLY, status_code=403)


async def _refresh_backend_gauges() -> None:
    report = await check_all()
    for name, backend in report["backends"].items():
        BACKEND_UP.labels(backend=name, mode=backend["mode"]).set(1 if backend["ok"] else 0)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    await _refresh_backend_gauges()
    await asyncio.to_thread(refresh_queue_depths)
    return Response(_exposition(), media_type=CONTENT_TYPE_LATEST)


def _exposition() -> bytes:
    """This process's metrics, or with PROMETHEUS_MULTIPROC_DIR every web process's, added up."""
    folder = get_container().settings.PROMETHEUS_MULTIPROC_DIR
    if folder is None:
        return generate_latest()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(folder))
    return generate_latest(registry)
