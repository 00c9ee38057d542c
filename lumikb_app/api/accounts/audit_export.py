"""`GET /api/admin/audit.csv`: the audit log as a streamed CSV download, for administrators.

The session cookie is checked like on every page (another site's request is refused);
`services.audit.export_csv` checks the admin role again and records the export itself before the
first byte is sent, then reads the rows a batch at a time as the response streams. The filter is parsed by `audit.audit_filter`,
the same parser the audit page uses.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from lumikb_app.api.accounts.auth import session_user
from lumikb_app.api.request_info import client_ip
from lumikb_app.services.accounts import audit
from lumikb_app.services.accounts.access import PermissionDenied

router = APIRouter(prefix="/api/admin")

EXPORT_PATH = "/api/admin/audit.csv"


def _filename() -> str:
    return f"lumikb-audit-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"


@router.get("/audit.csv", include_in_schema=False)
async def export_audit_csv(
    request: Request,
    actor: str = "",
    action: str = "",
    kb_id: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    no_store = {"Cache-Control": "no-store"}
    user = await session_user(request)
    if user is None:
        return PlainTextResponse("Sign in first.", status_code=401, headers=no_store)
    try:
        f = audit.audit_filter(actor, action, kb_id, since, until)
    except audit.BadFilter as error:
        return PlainTextResponse(str(error), status_code=400, headers=no_store)
    ip = client_ip(request)
    try:
        rows = await asyncio.to_thread(audit.export_csv, user, f, ip)
    except PermissionDenied:
        return PlainTextResponse("Only administrators can export the audit log.", 403, no_store)
    headers = {**no_store, "Content-Disposition": f'attachment; filename="{_filename()}"'}
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers=headers)
