"""`GET /health`: the status and each backend's ok for anyone (load balancers, compose);
administrators also get each backend's mode, error and latency.

An administrator is recognised by the session cookie (from our own pages, not another site's)
or by a personal API token (`Authorization: Bearer lkb_...`), so `curl` can read the detail too.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from lumikb_app.api.request_info import cross_site
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import access, api_tokens, auth
from lumikb_app.services.platform.health import check_all

router = APIRouter()


def public_view(report: dict) -> dict:
    """What anyone may know: no error text (hosts, users), latencies or modes."""
    return {
        "status": report["status"],
        "backends": {name: {"ok": b["ok"]} for name, b in report["backends"].items()},
    }


def _caller(request: Request) -> User | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return api_tokens.authenticate(token.strip())
    cookie = request.cookies.get(auth.COOKIE_NAME)
    return auth.user_for_token(cookie) if cookie and not cross_site(request) else None


async def caller_is_admin(request: Request) -> bool:
    if "authorization" not in request.headers and auth.COOKIE_NAME not in request.cookies:
        return False  # a load balancer's check: no thread, no database
    user = await asyncio.to_thread(_caller, request)
    return user is not None and access.is_admin(user)


@router.get("/health", include_in_schema=False)
async def health(request: Request) -> JSONResponse:
    report = await check_all()
    body = report if await caller_is_admin(request) else public_view(report)
    status_code = 200 if report["status"] == "ok" else 503
    return JSONResponse(body, status_code=status_code, headers={"Cache-Control": "no-store"})
