"""`GET /api/v1/kbs/{kb_id}/graph/entities?q=&limit=`: a KB's entities by name, most mentioned first.
`GET /api/v1/kbs/{kb_id}/graph/entities/{entity_id}`: one entity, its relations and passages.
`GET /api/v1/kbs/{kb_id}/graph/entities/{entity_id}/neighbours?hops=&limit=`: its neighbourhood.

The same service as the graph page: a KB the caller may not read is a 404 exactly like a missing
one, and so is an entity that is not in the KB's graph; out-of-range input is a 422."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from lumikb_app.api.accounts.bearer import ActingUser
from lumikb_app.api.v1 import ERRORS
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.graph import explore

router = APIRouter(prefix="/api/v1/kbs/{kb_id}/graph", tags=["v1"], responses=ERRORS)


class EntityOut(BaseModel):
    id: str
    name: str
    type: str
    community: int | None = Field(description="The entity's community number, if any.")
    mentions: int = Field(description="How many times the KB's current documents mention it.")


class EdgeOut(BaseModel):
    source: str
    target: str
    type: str = Field(description="The heaviest relation's type between the two.")
    weight: float = Field(description="The weights of every relation between the two, summed.")


class NeighbourhoodOut(BaseModel):
    entities: list[EntityOut]
    relations: list[EdgeOut]


class RelationOut(BaseModel):
    type: str
    entity_id: str = Field(description="The entity at the other end.")
    entity_name: str
    outgoing: bool = Field(description="True when this entity is the relation's source.")
    evidence: str = Field(description="A sentence that states the relation.")
    weight: float = Field(description="Summed over the relations of this type between the two.")
    count: int = Field(description="How many relations of this type join the two.")


class PassageOut(BaseModel):
    chunk_id: str
    document_id: str = Field(description="The document's id, the same for each of its versions.")
    document_name: str
    version: int
    page: int | None
    snippet: str = Field(description="The text around the mention.")
    url: str = Field(description="Where the passage opens in the LumiKB document viewer.")


class EntityDetailOut(EntityOut):
    description: str
    aliases: list[str]
    community_title: str | None
    relations: list[RelationOut]
    passages: list[PassageOut]


async def _call(function: Callable, *args: Any, **kwargs: Any) -> Any:
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    except (PermissionDenied, explore.EntityNotFound) as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None
    except explore.GraphInputError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None


def _entity(node: explore.GraphNode) -> EntityOut:
    return EntityOut(
        id=node.id, name=node.name, type=node.type, community=node.community, mentions=node.mentions
    )


@router.get("/entities", response_model=list[EntityOut], summary="Find a KB's graph entities")
async def find_entities(
    kb_id: str,
    user: ActingUser,
    q: Annotated[str, Query(max_length=explore.MAX_QUERY_CHARS)] = "",
    limit: Annotated[int, Query(ge=1, le=explore.MAX_SEARCH)] = 20,
) -> list[EntityOut]:
    """Entities whose name starts with (or else contains) `q`; without `q`, the most mentioned."""
    found = await _call(explore.search_entities, user, kb_id, q, limit=limit)
    return [_entity(node) for node in found]


@router.get(
    "/entities/{entity_id}", response_model=EntityDetailOut, summary="One entity of a KB's graph"
)
async def entity_detail(kb_id: str, entity_id: str, user: ActingUser) -> EntityDetailOut:
    detail: explore.EntityDetail = await _call(explore.entity_detail, user, kb_id, entity_id)
    return EntityDetailOut(
        **_entity(detail.node).model_dump(),
        description=detail.description,
        aliases=list(detail.aliases),
        community_title=detail.community.title if detail.community else None,
        relations=[
            RelationOut(
                type=r.type,
                entity_id=r.other_id,
                entity_name=r.other_name,
                outgoing=r.outgoing,
                evidence=r.evidence,
                weight=r.weight,
                count=r.count,
            )
            for r in detail.relations
        ],
        passages=[
            PassageOut(
                chunk_id=p.chunk_id,
                document_id=p.document_id,
                document_name=p.document_name,
                version=p.version,
                page=p.page,
                snippet=p.before + p.mention + p.after,
                url=p.href,
            )
            for p in detail.passages
        ],
    )


@router.get(
    "/entities/{entity_id}/neighbours",
    response_model=NeighbourhoodOut,
    summary="An entity and its neighbours in a KB's graph",
)
async def neighbours(
    kb_id: str,
    entity_id: str,
    user: ActingUser,
    hops: Annotated[int, Query(ge=1, le=explore.MAX_HOPS)] = 1,
    limit: Annotated[int, Query(ge=1, le=explore.MAX_NEIGHBOURS)] = 60,
) -> NeighbourhoodOut:
    """The entity, the entities within `hops` relations of it (nearest first) and the relations
    among them."""
    view = await _call(explore.neighbours, user, kb_id, entity_id, hops=hops, limit=limit)
    return NeighbourhoodOut(
        entities=[_entity(node) for node in view.nodes],
        relations=[
            EdgeOut(source=e.source, target=e.target, type=e.type, weight=e.weight)
            for e in view.edges
        ],
    )
