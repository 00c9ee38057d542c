"""`GET /api/v1/models`: the registry's live models, by kind (what a KB admin may choose).
`PUT /api/v1/kbs/{kb_id}/models`: choose a KB's chat and embedding models, by registry id.

The same services as the KB settings page: anything but a live registry entry of the right kind
is refused with a 422, and a KB the caller does not administer is a 404 like a missing one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lumikb_app.api.accounts.bearer import ActingUser
from lumikb_app.api.request_info import client_ip
from lumikb_app.api.v1 import ERRORS
from lumikb_app.domain.models import ModelKind
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.models import choices

router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERRORS)
ModelId = Annotated[str, StringConstraints(max_length=64)]


class ModelOut(BaseModel):
    id: str
    kind: ModelKind
    name: str
    is_default: bool


class KbModelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chat_model: ModelId | None = Field(
        default=None,
        description="A chat model's id from GET /api/v1/models, or \"\" for the registry's "
        "default chat model. Left out: unchanged.",
    )
    embedding_model: ModelId | None = Field(
        default=None,
        description="An embedding model's id from GET /api/v1/models (a change re-indexes "
        "every document). Left out: unchanged.",
    )


class KbModelsOut(BaseModel):
    chat_model: str = Field(description='"": the registry\'s default chat model.')
    embedding_model: str
    reindexing: bool = Field(description="Whether the change started a background re-index.")


async def _call(function: Callable, *args: Any) -> Any:
    try:
        return await asyncio.to_thread(function, *args)
    except PermissionDenied as denied:
        raise HTTPException(status_code=404, detail=str(denied)) from None
    except (InvalidInput, EmbeddingError) as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


@router.get("/models", response_model=list[ModelOut], summary="The models a KB admin may choose")
async def list_models(
    user: ActingUser, kind: Annotated[ModelKind | None, Query()] = None
) -> list[ModelOut]:
    kinds = [kind] if kind else list(ModelKind)
    found = [(k, c) for k in kinds for c in await _call(choices.choices, user, k)]
    return [ModelOut(id=c.id, kind=k, name=c.name, is_default=c.is_default) for k, c in found]


@router.put(
    "/kbs/{kb_id}/models",
    response_model=KbModelsOut,
    summary="Choose a knowledge base's chat and embedding models (KB admins)",
)
async def set_kb_models(
    kb_id: str, body: KbModelsIn, user: ActingUser, request: Request
) -> KbModelsOut:
    values, ip = body.model_dump(exclude_none=True), client_ip(request)
    saved, reindexing = await _call(kb_config.update_settings, user, kb_id[:64], values, ip)
    return KbModelsOut(
        chat_model=saved.chat_model, embedding_model=saved.embedding_model, reindexing=reindexing
    )
