"""How chunks become points in the vector index: collection per embedding model, stable ids."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from lumikb_app.db.tables import Chunk, Document
from lumikb_app.ports.embeddings import Embedder
from lumikb_app.ports.vectors import VectorPoint

_POINT_NAMESPACE = uuid.UUID("6f1d4a52-3c1b-4c0e-9a6f-2f8e7c1d5b90")


def collection_for(embedder: Embedder) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", embedder.name.lower()).strip("-")[:60]
    return f"chunks-{slug}-{embedder.dimension}"


def point_id(document_id: str, version: int, ordinal: int) -> str:
    """Deterministic, so a retried job overwrites its points instead of adding more."""
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{document_id}:{version}:{ordinal}"))


def embed_text(document: Document, chunk: Chunk, title: str | None) -> str:
    """What is embedded and BM25-indexed: the passage under its document title and headings."""
    heading = " > ".join([title or document.name, *chunk.heading_path])
    return f"{heading}\n\n{chunk.text}"


def points(
    document: Document,
    chunks: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
    title: str | None,
):
    return [
        VectorPoint(
            id=point_id(document.id, document.version, chunk.ordinal),
            dense=vector,
            text=embed_text(document, chunk, title),
            payload={
                "kb_id": document.kb_id,
                "document_id": document.id,
                "chunk_id": chunk.id,
                "version": document.version,
                "ordinal": chunk.ordinal,
            },
        )
        for chunk, vector in zip(chunks, vectors, strict=True)
    ]
