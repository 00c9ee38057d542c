"""The REST API's docs page (Swagger UI) with its script and style sheet served by the app itself.

FastAPI's own page loads Swagger UI from a CDN, so it is blank without internet. The files come
from the `fastapi-offline` package (Swagger UI 5, which reads the OpenAPI 3.1 that FastAPI
writes), pinned in pyproject.toml and requirements.lock; only the files named in ASSETS are
served.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/openapi.json"
ASSETS_URL = "/api/docs/assets"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
CACHE = {"Cache-Control": "public, max-age=86400"}
# No validator badge: Swagger UI would send the spec's address to validator.swagger.io.
PARAMETERS = {"validatorUrl": None}

router = APIRouter()


@router.get(DOCS_URL, include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=root + OPENAPI_URL,
        title="LumiKB REST API",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters=PARAMETERS,
    )
    html = bytes(page.body).decode().replace("<html>", '<html lang="en">', 1)
    return HTMLResponse(html)


@router.get(ASSETS_URL + "/{name}", include_in_schema=False)
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail="Not found.")
    path = files("fastapi_offline").joinpath("static", name)
    return FileResponse(str(path), media_type=ASSETS[name], headers=CACHE)
