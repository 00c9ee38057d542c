"""Where a request came from and how the browser addressed it, behind a proxy too.

A reverse proxy may append to X-Forwarded-Host and X-Forwarded-Proto; the first value is what
the browser used.
"""

from __future__ import annotations

from starlette.requests import Request


def client_ip(request: Request) -> str | None:
    """The peer's address, as recorded in the audit log."""
    return request.client.host if request.client else None


def _forwarded(request: Request, name: str) -> str:
    return request.headers.get(name, "").split(",")[0].strip()


def public_host(request: Request) -> str:
    """The host (and port) the browser sent the request to, lower-cased."""
    host = _forwarded(request, "x-forwarded-host") or request.headers.get("host", "")
    return (host or request.url.netloc).lower()


def is_https(request: Request) -> bool:
    scheme = _forwarded(request, "x-forwarded-proto").lower() or request.url.scheme
    return scheme == "https"
