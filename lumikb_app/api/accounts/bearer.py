"""Who is calling the REST API: a personal API token (`Authorization: Bearer lkb_...`), or else
the browser's session cookie.

A request that sends an Authorization header is judged by that header alone: a bad token is a
401 even when a session cookie comes along. Cookie-authenticated requests from another site's
page are refused (reads too: api/accounts/auth.session_user), and writes must name an allowed
Origin (the same check as the login form), because browsers attach cookies to cross-site
requests; a bearer token is never sent by a browser on its own, so it needs no such check.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lumikb_app.api.accounts.auth import session_user
from lumikb_app.api.request_info import same_origin
from lumikb_app.db.tables import User
from lumikb_app.domain import log_context
from lumikb_app.services.accounts import api_tokens, sign_in_threads

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNAUTHORIZED = (
    "Send a valid API token as 'Authorization: Bearer <token>' (create one on your account page)."
)
CROSS_SITE = "Cross-site request refused."

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="A personal API token from your account page (Your account → API tokens).",
)


def unauthorized() -> HTTPException:
    return HTTPException(
        status_code=401, detail=UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
    )


async def _from_cookie(request: Request) -> User | None:
    user = await session_user(request)
    if user is not None and request.method not in SAFE_METHODS and not same_origin(request):
        raise HTTPException(status_code=403, detail=CROSS_SITE)
    return user


async def acting_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """The user the request acts for, or a 401 that tells the caller how to authenticate."""
    if request.headers.get("authorization"):
        token = credentials.credentials if credentials else None
        user = await sign_in_threads.lookup(api_tokens.authenticate, token)
    else:
        user = await _from_cookie(request)
    if user is None:
        raise unauthorized()
    log_context.bind(user_id=user.id)
    return user


ActingUser = Annotated[User, Depends(acting_user)]
