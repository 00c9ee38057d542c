"""The FastAPI app that Reflex mounts its own backend under (see lumikb_app.lumikb_app)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from lumikb_app.api import api_docs, backend_errors, v1, validation
from lumikb_app.api.accounts import audit_export, auth, oidc
from lumikb_app.api.documents import documents, pages
from lumikb_app.api.drafting import downloads as draft_downloads
from lumikb_app.api.drafting import drafts as draft_routes
from lumikb_app.api.graph import entities as graph_entities
from lumikb_app.api.models import kb_models
from lumikb_app.api.origin_guard import OriginGuard
from lumikb_app.api.platform import health, metrics, observability


def create_api() -> FastAPI:
    api = FastAPI(
        title="LumiKB",
        summary="Search and chat over your knowledge bases with a personal API token.",
        version="1",
        docs_url=None,  # api_docs serves the page, with Swagger UI from a package, not a CDN
        redoc_url=None,
        openapi_url=api_docs.OPENAPI_URL,
    )
    api.add_exception_handler(RequestValidationError, validation.unprocessable)
    backend_errors.install(api)  # 503 with the reason when a backend is down
    api.add_middleware(metrics.RequestMetricsMiddleware)
    api.add_middleware(OriginGuard)
    api.include_router(health.router)
    api.add_middleware(observability.WebsocketGauge)
    api.add_middleware(observability.RequestIdMiddleware)  # outermost: every line has its id
    api.include_router(metrics.router)
    api.include_router(auth.router)
    api.include_router(oidc.router)
    api.include_router(audit_export.router)
    api.include_router(documents.router)
    api.include_router(pages.router)
    api.include_router(v1.router)
    api.include_router(api_docs.router)
    api.include_router(kb_models.router)
    api.include_router(graph_entities.router)
    api.include_router(draft_routes.router)
    api.include_router(draft_downloads.router)
    return api


api = create_api()
