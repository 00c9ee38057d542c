"""`GET /api/admin/audit.csv`: the audit log as a streamed CSV download, for administrators.

The session cookie is checked like on every page; `services.audit.export_csv` checks the
admin role again and records the export itself before the first byte is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from lumikb_app.api.request_info import client_ip
from lumikb_app.container import get_container
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import audit, auth
from lumikb_app.services.accounts.access import PermissionDenied

router = APIRouter(prefix="/api/admin")

EXPORT_PATH = "/api/admin/audit.csv"
MAX_FILTER_LENGTH = 254


class BadFilter(ValueError):
    pass


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise BadFilter(f"{name} must be a date like 2024-05-31.") from error


def audit_filter(
    actor: str | None = None,
    action: str | None = None,
    kb_id: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> audit.AuditFilter:
    """Filters as typed by a person: `since` and `until` are whole UTC days, both included."""
    first, last = _day(since, "From"), _day(until, "To")
    if first and last and last < first:
        raise BadFilter("The end date is before the start date.")
    return audit.AuditFilter(
        actor=(actor or "").strip()[:MAX_FILTER_LENGTH] or None,
        action=(action or "").strip()[:64] or None,
        kb_id=(kb_id or "").strip()[:36] or None,
        since=datetime.combine(first, datetime.min.time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
        if last
        else None,
    )


def _streamed(scope: ExitStack, rows: Iterator[str]) -> Iterator[str]:
    with scope:
        yield from rows


def _open_export(actor: User, f: audit.AuditFilter, ip: str | None) -> Iterator[str]:
    """Check access and record the export now; the session stays open while the rows stream."""
    with ExitStack() as scope:
        session = scope.enter_context(get_container().db.session())
        rows = audit.export_csv(session, actor, f, ip=ip)
        return _streamed(scope.pop_all(), rows)


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
    user = await asyncio.to_thread(auth.user_for_token, request.cookies.get(auth.COOKIE_NAME))
    if user is None:
        return PlainTextResponse("Sign in first.", status_code=401, headers=no_store)
    try:
        f = audit_filter(actor, action, kb_id, since, until)
    except BadFilter as error:
        return PlainTextResponse(str(error), status_code=400, headers=no_store)
    ip = client_ip(request)
    try:
        rows = await asyncio.to_thread(_open_export, user, f, ip)
    except PermissionDenied:
        return PlainTextResponse("Only administrators can export the audit log.", 403, no_store)
    headers = {**no_store, "Content-Disposition": f'attachment; filename="{_filename()}"'}
    return StreamingResponse(rows, media_type="text/csv; charset=utf-8", headers=headers)
