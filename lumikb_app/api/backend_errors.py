"""503 with the reason when a backend the request needs is down, instead of a bare 500.

`{"detail": "The database is unavailable; try again in a moment."}` and Retry-After: a client
(or a load balancer) can tell "try again" from "this is broken".
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from lumikb_app.services.platform.unavailable import (
    OUTAGE_ERRORS,
    RETRY_AFTER_SECONDS,
    unavailable_reason,
)

log = logging.getLogger(__name__)


async def service_unavailable(request: Request, exc: Exception) -> JSONResponse:
    reason = unavailable_reason(exc)
    if reason is None:
        raise exc  # not a backend outage (a DBAPIError can be a bug): the usual 500
    log.warning("%s %s answered 503: %s (%s)", request.method, request.url.path, reason, exc)
    return JSONResponse(
        {"detail": reason},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def install(api: FastAPI) -> None:
    for error in OUTAGE_ERRORS:
        api.add_exception_handler(error, service_unavailable)
