"""Per-KB settings with defaults and validation (stored as JSON on the knowledge base)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lumikb_app.domain.models import BUILTIN_EMBEDDER_ID

DEFAULT_EMBEDDING_MODEL = BUILTIN_EMBEDDER_ID  # KB settings name registry ids


class KbSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    chunk_tokens: int = Field(300, ge=64, le=2000, description="Chunk size in tokens")
    chunk_overlap: int = Field(50, ge=0, le=500, description="Overlap between chunks in tokens")
    # Registry ids (services/models): the embedding entry, and the chat entry or "" for the
    # registry's default chat model. The services accept only live entries of the right kind.
    embedding_model: str = Field(DEFAULT_EMBEDDING_MODEL, min_length=1, max_length=200)
    top_k: int = Field(8, ge=1, le=50)
    similarity_threshold: float = Field(0.0, ge=0.0, le=1.0)
    answer_preset: Literal["concise", "balanced", "detailed"] = "balanced"
    chat_model: str = Field("", max_length=200)
    # Knowledge graph: off, on without a language model (key terms and references), or on with
    # the registry's extraction model. `graph_retrieval`: fuse graph results into search and chat
    # by default. Off unless a KB admin turns it on: on the PEP corpus it lifts Recall@5 of
    # questions that need two or three PEPs (0.883 -> 0.933) but costs 0.009 nDCG@10 on
    # single-PEP questions (README "Knowledge graph").
    graph_mode: Literal["off", "fast", "llm"] = "off"
    graph_retrieval: bool = False

    @field_validator("chat_model")
    @classmethod
    def _strip_model(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _overlap_below_half(self) -> KbSettings:
        if self.chunk_overlap * 2 > self.chunk_tokens:
            raise ValueError("chunk_overlap must be at most half of chunk_tokens")
        return self

    def index_fingerprint(self) -> tuple[int, int, str]:
        """What, when changed, needs a re-index."""
        return (self.chunk_tokens, self.chunk_overlap, self.embedding_model)
