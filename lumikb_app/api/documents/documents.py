"""`GET /api/documents/{document_id}/download[?version=n]`: the original file of that version
(else of the current one), streamed from the blob store.

The session cookie is checked like on every page and `services.documents.open_original` checks
READ access. A missing document, a forbidden one and a purged blob all get the same 404, so
document ids cannot be probed.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from lumikb_app.api.accounts.auth import session_user
from lumikb_app.ports.blobs import BlobNotFound
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import documents as document_service

router = APIRouter(prefix="/api/documents")

NO_STORE = {"Cache-Control": "no-store"}
NOT_FOUND = document_service.NOT_FOUND


def sign_in_first() -> PlainTextResponse:
    return PlainTextResponse("Sign in first.", status_code=401, headers=NO_STORE)


def not_found() -> PlainTextResponse:
    """The one answer for a missing, forbidden or unavailable document (no probing of ids)."""
    return PlainTextResponse(NOT_FOUND, status_code=404, headers=NO_STORE)


def download_path(document_id: str, version: int | None = None) -> str:
    query = "" if version is None else f"?version={version}"
    return f"/api/documents/{document_id}/download{query}"


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback plus the exact UTF-8 name in `filename*`."""
    fallback = "".join(
        ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename
    ).strip()
    return f"attachment; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{document_id}/download", include_in_schema=False)
async def download_document(
    request: Request, document_id: str, version: int | None = Query(None, ge=1, le=1_000_000)
) -> Response:
    user = await session_user(request)
    if user is None:
        return sign_in_first()
    try:
        doc, chunks = await asyncio.to_thread(
            document_service.open_original, user, document_id[:64], version
        )
    except (PermissionDenied, BlobNotFound):
        return not_found()
    headers = {
        **NO_STORE,
        "Content-Disposition": content_disposition(doc.name),
        "Content-Length": str(doc.size_bytes),
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(chunks, media_type=doc.mime_type, headers=headers)
