"""Single sign-on routes: send the browser to the OpenID provider and take it back.

The state, nonce and PKCE verifier travel in a signed, HttpOnly, SameSite=Lax cookie limited to
/auth/oidc and ten minutes; Lax lets it come back on the provider's top-level redirect.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from lumikb_app.api.accounts.auth import safe_next, set_session_cookie
from lumikb_app.api.platform.metrics import record_login
from lumikb_app.api.request_info import client_ip, is_https, public_host
from lumikb_app.container import get_container
from lumikb_app.services.accounts import auth, oidc

router = APIRouter(prefix="/auth/oidc")
log = logging.getLogger(__name__)

STATE_COOKIE = "lumikb_oidc_state"
STATE_COOKIE_PATH = "/auth/oidc"
SSO_FAILED_URL = "/login?error=sso"
NO_STORE = {"Cache-Control": "no-store"}


def redirect_uri(request: Request) -> str:
    """Our callback URL as the browser sees it (honours X-Forwarded-Proto and -Host)."""
    scheme = "https" if is_https(request) else "http"
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{scheme}://{public_host(request)}{root}{STATE_COOKIE_PATH}/callback"


def _clear_state(response: Response, request: Request) -> Response:
    response.delete_cookie(
        STATE_COOKIE,
        path=STATE_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    return response


def _failed(request: Request) -> Response:
    record_login("failure")
    return _clear_state(
        RedirectResponse(SSO_FAILED_URL, status_code=303, headers=NO_STORE), request
    )


@router.get("/login", include_in_schema=False)
async def login(request: Request, next: str = "/") -> Response:
    if not get_container().settings.sso_enabled:
        raise HTTPException(status_code=404)
    try:
        url, record = await asyncio.to_thread(oidc.begin, redirect_uri(request))
    except oidc.OidcError as exc:
        await asyncio.to_thread(oidc.record_failure, exc.reason, ip=client_ip(request))
        return _failed(request)
    response = RedirectResponse(url, status_code=302, headers=NO_STORE)
    response.set_cookie(
        STATE_COOKIE,
        oidc.seal_state(record, safe_next(next)),
        max_age=oidc.STATE_MAX_AGE_SECONDS,
        path=STATE_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    return response


async def _complete(request: Request) -> tuple[auth.SessionToken, str] | None:
    """A session and the next path for a valid callback, or None (the failure is audited)."""
    params, ip = request.query_params, client_ip(request)
    opened = oidc.open_state(request.cookies.get(STATE_COOKIE))
    reason = None
    if opened is None:
        reason = "state_cookie_missing_or_invalid"
    elif not oidc.state_matches(opened[0], params.get("state")):
        reason = "state_mismatch"
    elif params.get("error"):
        reason = f"provider_error:{params.get('error', '')[:64]}"
    if reason:
        await asyncio.to_thread(oidc.record_failure, reason, ip=ip)
        return None
    record, next_path = opened
    try:
        issued = await asyncio.to_thread(
            oidc.complete,
            params.get("code", ""),
            record,
            redirect_uri(request),
            ip=ip,
            user_agent=request.headers.get("user-agent"),
        )
    except oidc.OidcError:
        return None
    except Exception:  # never a 500 or a session from an unexpected failure
        log.exception("SSO callback failed")
        return None
    return issued, next_path


@router.get("/callback", include_in_schema=False)
async def callback(request: Request) -> Response:
    if not get_container().settings.sso_enabled:
        raise HTTPException(status_code=404)
    completed = await _complete(request)
    if completed is None:
        return _failed(request)
    record_login("success")
    issued, next_path = completed
    response = RedirectResponse(safe_next(next_path), status_code=303, headers=NO_STORE)
    set_session_cookie(response, request, issued)
    return _clear_state(response, request)
