"""`GET /api/documents/{document_id}/pages/{n}.png`: one rendered PDF page for the viewer.

The session cookie is checked like on every page and `services.viewer` checks READ access.
A missing document, a forbidden one, a page out of range and a non-PDF all get the same 404,
so document ids cannot be probed. The id is a version's (services/documents/versions.py), one
immutable file, so the browser may keep the image (privately) for a while.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lumikb_app.api.accounts.auth import session_user
from lumikb_app.api.documents.documents import not_found, sign_in_first
from lumikb_app.ports.blobs import BlobNotFound
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.documents import viewer

router = APIRouter(prefix="/api/documents")

IMAGE_CACHE = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
MAX_PAGE_DIGITS = 6


def page_image_path(document_id: str, page: int) -> str:
    return f"/api/documents/{document_id}/pages/{page}.png"


@router.get("/{document_id}/pages/{page}.png", include_in_schema=False)
async def page_image(request: Request, document_id: str, page: str, scale: float = 1.5) -> Response:
    user = await session_user(request)
    if user is None:
        return sign_in_first()
    if not page.isdigit() or len(page) > MAX_PAGE_DIGITS:
        return not_found()
    try:
        png = await asyncio.to_thread(viewer.render_page_png, user, document_id, int(page), scale)
    except (PermissionDenied, BlobNotFound, viewer.DocumentNotReady):
        return not_found()
    return Response(png, media_type="image/png", headers=IMAGE_CACHE)
