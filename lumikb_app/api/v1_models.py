"""Request and response bodies of REST API v1, as the OpenAPI docs at /api/docs describe them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from lumikb_app.domain.search_page import RESULTS_PER_SEARCH
from lumikb_app.domain.text import storable

MAX_IDS = 100
# Text a person typed: refused with a 422 when it holds what cannot be stored (NUL, a lone
# surrogate), before any service or store sees it. The services bound the length with their
# own messages.
Text = Annotated[str, AfterValidator(storable)]
Id = Annotated[str, StringConstraints(max_length=64), AfterValidator(storable)]


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong, in words meant for a person.")


class KbOut(BaseModel):
    id: str
    name: str
    description: str


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: Text = Field(description="What to look for, in plain words.")
    kb_ids: list[Id] | None = Field(
        default=None,
        max_length=MAX_IDS,
        description="Search only these knowledge bases (default: every one you may read). "
        "Ids you may not read are ignored.",
    )
    doc_types: list[Id] | None = Field(
        default=None, max_length=20, description='Document type keys such as "pdf" or "markdown".'
    )
    limit: int | None = Field(
        default=RESULTS_PER_SEARCH,
        ge=1,
        le=100,
        description="At most this many results (the search page shows as many).",
    )
    graph: bool | None = Field(
        default=None,
        description="Fuse knowledge-graph results in (true) or not (false); "
        "default: each knowledge base's own setting. Only KBs with a graph have any.",
    )


class SearchResultOut(BaseModel):
    chunk_id: str
    document_id: str = Field(description="The document's id, the same for each of its versions.")
    version: int = Field(description="The version of the document the passage is from.")
    document_name: str
    kb_id: str
    kb_name: str
    page: int | None = Field(description="First page of the passage (PDFs), else null.")
    score: float = Field(description="Higher is better; comparable within one answer.")
    relevance: float = Field(
        default=0.0,
        description="0 to 1, calibrated on absolute evidence (the question's words and meaning): "
        "the same figure means as good a match in any search. The search page shows it as "
        '"Relevance 82%".',
    )
    text: str = Field(description="The whole passage.")
    snippet: str = Field(description="The part of the passage around the best match.")
    matched_terms: list[str] = Field(description="Query words found in the passage.")
    semantic: bool = Field(description="Found by meaning (dense vector search).")
    keyword: bool = Field(description="Found by keywords (BM25).")
    via: str = Field(
        default="",
        description='How the knowledge graph reached it ("PEP 484 → TypeVar"); empty if it did not.',
    )
    url: str = Field(description="Where the passage opens in the LumiKB document viewer.")


class SearchOut(BaseModel):
    query: str
    took_ms: float
    results: list[SearchResultOut]


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(description="The question, in plain words.")
    conversation_id: Id | None = Field(
        default=None,
        description="Continue this conversation; without it a new one is started.",
    )
    kb_ids: list[Id] | None = Field(
        default=None,
        max_length=MAX_IDS,
        description="For a new conversation: answer only from these knowledge bases.",
    )
    graph: bool | None = Field(
        default=None,
        description="Fuse knowledge-graph results into the search behind this answer (true) or "
        "not (false); default: each knowledge base's own setting.",
    )


class CitationOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    n: int = Field(description="The number of the [n] marker in the answer.")
    chunk_id: str
    document_id: str = Field(description="The document's id, the same for each of its versions.")
    version: int | None = Field(
        default=None, description="The version cited (null in answers stored before versions)."
    )
    document_name: str
    kb_id: str
    kb_name: str
    page: int | None = None
    text: str = Field(description="The cited passage (at most 800 characters).")
    score: float
    relevance: float | None = Field(
        default=None,
        description="0 to 1, calibrated as in search results (null in answers stored before).",
    )
    href: str = Field(description="Where the passage opens in the LumiKB document viewer.")


class ConversationOut(BaseModel):
    id: str
    title: str
    kb_ids: list[str]
    created_at: datetime
    updated_at: datetime


class MessageOut(BaseModel):
    id: str
    role: str = Field(description='"user" or "assistant".')
    content: str
    citations: list[CitationOut] = Field(description="The sources the answer cites with [n].")
    sources: list[dict[str, Any]] = Field(description="Every passage the answer was given.")
    mode: str = Field(description='"llm", "extractive" or "no_answer" (assistant turns).')
    status: str
    confidence: float | None
    rating: int | None
    created_at: datetime
