"""`GET /api/drafts/{draft_id}/export?format=docx|pdf|md|original`: the browser's export
download (the draft page's export menu links here).

The session cookie is checked like on every page; `services.drafting.exports` checks the
caller's role on the draft and READ on each of its knowledge bases. A missing draft and a
forbidden one get the same 404, so draft ids cannot be probed; a format the draft cannot be
exported in is a 400 that says why.
"""

from __future__ import annotations

import asyncio
from typing import get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from lumikb_app.api.accounts.auth import session_user
from lumikb_app.api.documents.documents import NO_STORE, sign_in_first
from lumikb_app.api.drafting.draft_models import ExportFormat
from lumikb_app.api.drafting.drafts import base_url, file_response
from lumikb_app.api.request_info import client_ip
from lumikb_app.domain.drafting import DraftInputError
from lumikb_app.ports.blobs import BlobNotFound
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import exports
from lumikb_app.services.drafting.draft_access import NOT_FOUND

router = APIRouter(prefix="/api/drafts")
FORMATS = get_args(ExportFormat)


def not_found() -> PlainTextResponse:
    return PlainTextResponse(NOT_FOUND, status_code=404, headers=NO_STORE)


def export_path(draft_id: str, fmt: str) -> str:
    return f"/api/drafts/{draft_id}/export?format={fmt}"


@router.get("/{draft_id}/export", include_in_schema=False)
async def download_export(
    request: Request,
    draft_id: str,
    format: str = Query("docx", max_length=16),  # noqa: A002
) -> Response:
    user = await session_user(request)
    if user is None:
        return sign_in_first()
    if format not in FORMATS:
        message = f"Choose a format: {', '.join(FORMATS)}."
        return PlainTextResponse(message, status_code=400, headers=NO_STORE)
    try:
        exported = await asyncio.to_thread(
            exports.export_draft,
            user,
            draft_id[:64],
            format,
            base_url(request),
            ip=client_ip(request),
        )
    except (PermissionDenied, BlobNotFound):
        return not_found()
    except DraftInputError as error:
        return PlainTextResponse(str(error), status_code=400, headers=NO_STORE)
    return file_response(exported)
