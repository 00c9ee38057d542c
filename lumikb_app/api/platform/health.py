"""`GET /health`: each backend's status and whether it runs embedded or against a server."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from lumikb_app.services.platform.health import check_all

router = APIRouter()


@router.get("/health", include_in_schema=False)
async def health() -> JSONResponse:
    report = await asyncio.to_thread(check_all)
    status_code = 200 if report["status"] == "ok" else 503
    return JSONResponse(report, status_code=status_code, headers={"Cache-Control": "no-store"})
