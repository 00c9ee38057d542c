"""Where a request came from and how the browser addressed it, behind a proxy too.

X-Forwarded-For, -Host and -Proto count only when the connection comes from TRUSTED_PROXIES
(lumikb_app.domain.network); from anyone else they are ignored. Works for HTTP requests and
websocket handshakes alike (both are Starlette HTTPConnections).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from lumikb_app.container import get_container
from lumikb_app.domain import network

CROSS_SITE_FETCHES = frozenset({"cross-site", "same-site"})


def _peer(request: HTTPConnection) -> str | None:
    return request.client.host if request.client else None


def behind_trusted_proxy(request: HTTPConnection) -> bool:
    return network.is_trusted(_peer(request), get_container().settings.trusted_proxies)


def client_ip(request: HTTPConnection) -> str | None:
    """The client's address (through trusted proxies), as the audit log and lockout record it."""
    forwarded_for = request.headers.get("x-forwarded-for", "")
    return network.client_address(
        _peer(request), forwarded_for, get_container().settings.trusted_proxies
    )


def _forwarded(request: HTTPConnection, name: str) -> str:
    if not behind_trusted_proxy(request):
        return ""
    return network.first_value(request.headers.get(name, ""))


def public_host(request: HTTPConnection) -> str:
    """The host (and port) the browser sent the request to, lower-cased."""
    host = _forwarded(request, "x-forwarded-host") or request.headers.get("host", "")
    return (host or request.url.netloc).lower()


def is_https(request: HTTPConnection) -> bool:
    scheme = _forwarded(request, "x-forwarded-proto").lower() or request.url.scheme
    return scheme in ("https", "wss")


def origin_allowed(request: HTTPConnection, origin: str) -> bool:
    """Whether a page at `origin` may act with this browser's session (ALLOWED_ORIGINS)."""
    allowed = get_container().settings.allowed_origins
    return network.origin_allowed(origin, public_host(request), allowed)


def same_origin(request: HTTPConnection) -> bool:
    """True when the Origin (or, without one, the Referer) is an allowed origin: required of
    every cookie-authenticated write."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return origin_allowed(request, f"{parts.scheme}://{parts.netloc}")


def cross_site(request: HTTPConnection) -> bool:
    """True for a request another site's page made (fetch, image, frame): its Origin is not
    allowed, or without an Origin the browser says Sec-Fetch-Site cross-site or same-site. A
    typed URL, a bookmark and our own pages pass; so do clients that send neither header."""
    origin = request.headers.get("origin")
    if origin:
        return not origin_allowed(request, origin)
    return request.headers.get("sec-fetch-site", "").lower() in CROSS_SITE_FETCHES
