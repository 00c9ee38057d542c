"""REST API v1 for drafting: list and open drafts, create one from a template or from an
uploaded questionnaire, start its generation, export it, and list the templates.

Every route acts as the caller (a personal API token, or the browser's session) through the
same services the drafting pages use, so the access rules are the same: a draft that is not
yours to see, or draws from a knowledge base you can no longer read, is "not found" (404)
exactly like a missing one; bad input is a 400 with the service's own message, and nothing is
changed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.datastructures import UploadFile

from lumikb_app.api.accounts.bearer import ActingUser
from lumikb_app.api.documents.documents import content_disposition
from lumikb_app.api.drafting import bounded_form, draft_views
from lumikb_app.api.drafting.draft_models import (
    DraftIn,
    DraftOut,
    DraftSummaryOut,
    ExportFormat,
    GenerateIn,
    GenerationOut,
    TemplateOut,
    questionnaire_form,
)
from lumikb_app.api.request_info import client_ip, is_https, public_host
from lumikb_app.api.v1 import ERRORS
from lumikb_app.api.v1_models import ErrorOut
from lumikb_app.domain.drafting import MAX_IMPORT_BYTES, MAX_KBS, DraftInputError
from lumikb_app.domain.text import text_problem
from lumikb_app.ports.blobs import BlobNotFound
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.drafting import (
    draft_creation,
    drafts,
    exports,
    generation,
    questionnaire_import,
    templates,
)
from lumikb_app.services.drafting.draft_access import NOT_FOUND

BAD_INPUT = {400: {"model": ErrorOut, "description": "Not acceptable; nothing was changed."}}
TOO_LARGE = {413: {"model": ErrorOut, "description": "The file is over the import limit."}}
FILE_DOC = {200: {"description": "The exported file.", "content": {"application/octet-stream": {}}}}
NO_STORE = {"Cache-Control": "no-store"}
FORMAT_DOC = '"original": the imported questionnaire with the answers filled in.'
FORM_FIELDS = MAX_KBS + 4  # title, mapping and one kb_ids field per knowledge base
router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERRORS)


async def call(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run a blocking service call off the event loop and turn its refusals into HTTP answers."""
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    except PermissionDenied as denied:
        raise HTTPException(status_code=404, detail=str(denied) or "Not found.") from None
    except BlobNotFound:  # an imported questionnaire's file is gone
        raise HTTPException(status_code=404, detail=NOT_FOUND) from None
    except DraftInputError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


def base_url(request: Request) -> str:
    """How the caller reaches this server, for the absolute links an exported file carries."""
    return f"{'https' if is_https(request) else 'http'}://{public_host(request)}"


@router.get("/drafts", response_model=list[DraftSummaryOut], summary="Your drafts")
async def list_drafts(user: ActingUser) -> list[DraftSummaryOut]:
    found = await call(drafts.list_drafts, user)
    return [draft_views.summary(draft, role) for draft, role in found]


@router.post(
    "/drafts",
    status_code=201,
    response_model=DraftOut,
    summary="Create a draft from a template",
    responses=BAD_INPUT,
)
async def create_draft(body: DraftIn, user: ActingUser, request: Request) -> DraftOut:
    created = await call(
        draft_creation.create_draft,
        user,
        body.title,
        body.kb_ids,
        body.template_id,
        ip=client_ip(request),
        brief=body.brief,
    )
    return draft_views.full(await call(drafts.open_draft, user, created.id))


@router.post(
    "/drafts/questionnaire",
    status_code=201,
    response_model=DraftOut,
    summary="Create a draft from an XLSX, CSV or DOCX questionnaire (one section per question)",
    responses={**BAD_INPUT, **TOO_LARGE},
    openapi_extra=questionnaire_form(MAX_IMPORT_BYTES),
)
async def import_questionnaire(user: ActingUser, request: Request) -> DraftOut:
    form = await bounded_form.read_form(request, MAX_IMPORT_BYTES, FORM_FIELDS)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(status_code=400, detail="Attach the questionnaire as `file`.")
        data = await bounded_form.file_bytes(upload, MAX_IMPORT_BYTES)
    finally:
        await form.close()
    title, kb_ids, mapping = _text(form, "title"), _kb_ids(form), _mapping_json(form)
    created = await call(
        questionnaire_import.create_from_questionnaire,
        user,
        title,
        kb_ids,
        _storable(upload.filename or ""),
        data,
        mapping,  # None: the mapping the import page suggests first
        ip=client_ip(request),
    )
    return draft_views.full(await call(drafts.open_draft, user, created.id))


def _storable(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise HTTPException(status_code=400, detail=problem)
    return value


def _text(form, name: str) -> str:
    value = form.get(name)
    return _storable(value) if isinstance(value, str) else ""


def _kb_ids(form) -> list[str]:
    """Repeated `kb_ids` fields; a single one may also list them separated by commas."""
    values = [_storable(v) for v in form.getlist("kb_ids") if isinstance(v, str)]
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _mapping_json(form) -> dict[str, Any] | None:
    raw = _text(form, "mapping").strip()
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail="The mapping is not valid JSON.") from None
    if not isinstance(mapping, dict):
        raise HTTPException(status_code=400, detail="The mapping must be a JSON object.")
    return mapping


@router.get("/drafts/{draft_id}", response_model=DraftOut, summary="A draft and its sections")
async def get_draft(draft_id: str, user: ActingUser) -> DraftOut:
    return draft_views.full(await call(drafts.open_draft, user, draft_id[:64]))


@router.post(
    "/drafts/{draft_id}/generate",
    status_code=202,
    response_model=GenerationOut,
    summary="Start writing the draft's sections (editors and the owner)",
    responses=BAD_INPUT,
)
async def generate(
    draft_id: str, user: ActingUser, request: Request, body: GenerateIn | None = None
) -> GenerationOut:
    section_ids = body.section_ids if body else None
    job_id = await call(
        generation.start_generation, user, draft_id[:64], section_ids, ip=client_ip(request)
    )
    return GenerationOut(job_id=job_id)


@router.get(
    "/drafts/{draft_id}/export",
    summary="The draft as a DOCX, PDF or Markdown file, or the questionnaire filled in",
    response_class=Response,
    responses={**FILE_DOC, **BAD_INPUT},
)
async def export_draft(
    draft_id: str,
    user: ActingUser,
    request: Request,
    format: Annotated[ExportFormat, Query(description=FORMAT_DOC)],  # noqa: A002
) -> Response:
    exported = await call(
        exports.export_draft, user, draft_id[:64], format, base_url(request), ip=client_ip(request)
    )
    return file_response(exported)


def file_response(exported: Any) -> Response:
    headers = {
        **NO_STORE,
        "Content-Disposition": content_disposition(exported.filename),
        "X-Content-Type-Options": "nosniff",
    }
    return Response(exported.data, media_type=exported.media_type, headers=headers)


@router.get(
    "/drafting/templates",
    response_model=list[TemplateOut],
    summary="The templates you may draft from",
)
async def list_templates(user: ActingUser) -> list[TemplateOut]:
    return [draft_views.template(t) for t in await call(templates.list_templates, user)]
