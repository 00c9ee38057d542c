"""Password login and logout as plain HTML form posts.

The browser stores the HttpOnly session cookie from the 303 answer; the next page load opens
a new Reflex websocket that carries it, and the app state validates it on every page load.
"""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from lumikb_app.api.platform.metrics import record_login
from lumikb_app.api.request_info import client_ip, cross_site, is_https, same_origin
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import auth, sign_in_threads
from lumikb_app.services.platform.unavailable import unavailable_reason

router = APIRouter(prefix="/auth")

LOGIN_PAGE = "/login"
LOGIN_FAILED_URL = "/login?error=1"
LOGIN_LOCKED_URL = "/login?error=locked"
LOGIN_UNAVAILABLE_URL = "/login?error=unavailable"  # a backend is down: the page says so
MAX_FIELD_LENGTH = 2048
CROSS_SITE = "Cross-site request refused."


def safe_next(target: str | None) -> str:
    """Only a same-site relative path may be a redirect target; anything else goes home."""
    if not target or len(target) > MAX_FIELD_LENGTH:
        return "/"
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path.rstrip("/") == LOGIN_PAGE or parts.path.startswith("/auth/"):
        return "/"
    return target


async def session_user(request: Request) -> User | None:
    """The active user behind the request's session cookie, or None.

    Another site's page gets a 403 instead: the browser attaches the cookie to its requests
    too (a page on another port of the same host is "same-site" and gets even Lax cookies)."""
    token = request.cookies.get(auth.COOKIE_NAME)
    if token and cross_site(request):
        raise HTTPException(status_code=403, detail=CROSS_SITE)
    return await sign_in_threads.lookup(auth.user_for_token, token) if token else None


def set_session_cookie(response: Response, request: Request, issued: auth.SessionToken) -> None:
    """The session cookie, the same for password and SSO sign-in."""
    response.set_cookie(
        auth.COOKIE_NAME,
        issued.token,
        max_age=issued.max_age_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def _forbidden() -> Response:
    return PlainTextResponse(CROSS_SITE, status_code=403)


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not same_origin(request):
        record_login("refused")
        return _forbidden()
    try:
        issued = await sign_in_threads.check_password(
            auth.login,
            email,
            password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent"),
        )
    except auth.LockedOut:
        record_login("locked")
        return RedirectResponse(
            LOGIN_LOCKED_URL, status_code=303, headers={"Cache-Control": "no-store"}
        )
    except auth.AuthError:
        record_login("failure")
        return RedirectResponse(
            LOGIN_FAILED_URL, status_code=303, headers={"Cache-Control": "no-store"}
        )
    except Exception as error:
        if unavailable_reason(error) is None:
            raise
        record_login("unavailable")
        return RedirectResponse(
            LOGIN_UNAVAILABLE_URL, status_code=303, headers={"Cache-Control": "no-store"}
        )
    record_login("success")
    response = RedirectResponse(
        safe_next(next), status_code=303, headers={"Cache-Control": "no-store"}
    )
    set_session_cookie(response, request, issued)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    await asyncio.to_thread(auth.logout, request.cookies.get(auth.COOKIE_NAME))
    response = RedirectResponse(LOGIN_PAGE, status_code=303, headers={"Cache-Control": "no-store"})
    response.delete_cookie(
        auth.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )
    return response
