"""The vector index targets the contract suite runs against, and its small corpus.

- `edge`: qdrant-edge-py under a temp directory (the embedded default).
- `client-local`: the server adapter on qdrant-client local mode, persisted in a temp directory.
- `server`: the server adapter on a real Qdrant server, only when QDRANT_HOST is set.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lumikb_app.adapters.qdrant_edge import QdrantEdgeIndex
from lumikb_app.adapters.qdrant_server import QdrantServerIndex
from lumikb_app.ports.vectors import VectorIndex, VectorPoint
from lumikb_app.settings import load_settings

DIM = 8
NAMESPACE = uuid.UUID("6f1c1c4e-3d1e-4c53-9a43-3a8f0f5f7a10")


def target_kinds() -> list[str]:
    kinds = ["edge", "client-local"]
    if load_settings().QDRANT_HOST:
        kinds.append("server")
    return kinds


@dataclass
class VectorTarget:
    """Opens (and reopens) one adapter on the same storage, and names an unused collection."""

    kind: str
    root: Path
    collection: str = "chunks"
    extra: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind == "server":  # shared server: a fresh collection per test
            self.collection = f"lumikb_test_{uuid.uuid4().hex[:12]}"

    def another_collection(self, suffix: str) -> str:
        """A second unused collection name, removed by cleanup like the main one."""
        name = f"{self.collection}_{suffix}"
        self.extra.append(name)
        return name

    def open(self) -> VectorIndex:
        if self.kind == "edge":
            return QdrantEdgeIndex(self.root / "vectors")
        if self.kind == "client-local":
            return QdrantServerIndex(path=str(self.root / "qdrant-local"))
        s = load_settings()
        return QdrantServerIndex(
            host=s.QDRANT_HOST,
            port=s.QDRANT_PORT,
            grpc_port=s.QDRANT_GRPC_PORT,
            prefer_grpc=s.QDRANT_GRPC,
            api_key=s.QDRANT_API_KEY,
        )

    def cleanup(self) -> None:
        if self.kind == "server":
            from qdrant_client import QdrantClient

            s = load_settings()
            client = QdrantClient(host=s.QDRANT_HOST, port=s.QDRANT_PORT, api_key=s.QDRANT_API_KEY)
            for name in [self.collection, *self.extra]:
                client.delete_collection(name)
            client.close()


# -- corpus ------------------------------------------------------------------
# (kb_id, document_id, ordinal, text). "office" is common; "etcd" and "coffee" are rare.
CORPUS = [
    ("kb-a", "doc-1", 0, "quarterly revenue report for the finance team"),
    ("kb-a", "doc-1", 1, "the finance team meets every monday in the office"),
    ("kb-a", "doc-1", 2, "holiday schedule and office closures"),
    ("kb-a", "doc-2", 0, "kubernetes cluster upgrade runbook with etcd snapshot backup"),
    ("kb-a", "doc-2", 1, "office coffee machine descaling instructions"),
    ("kb-b", "doc-3", 0, "etcd backup procedure for kubernetes clusters"),
    ("kb-b", "doc-3", 1, "office seating plan"),
]


def point_id(document_id: str, ordinal: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{document_id}:v1:{ordinal}"))


def direction(position: int, noise: float = 0.0) -> list[float]:
    """A unit vector mostly along axis `position` (one axis per corpus point)."""
    raw = [noise * math.sin(position + 3 * axis + 1) for axis in range(DIM)]
    raw[position % DIM] += 1.0
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def corpus_points(extra_payload: dict | None = None) -> list[VectorPoint]:
    return [
        VectorPoint(
            id=point_id(doc, ordinal),
            dense=direction(position, noise=0.05),
            text=text,
            payload={"kb_id": kb, "document_id": doc, "ordinal": ordinal, **(extra_payload or {})},
        )
        for position, (kb, doc, ordinal, text) in enumerate(CORPUS)
    ]


def position_of(document_id: str, ordinal: int) -> int:
    return next(i for i, (_, doc, o, _) in enumerate(CORPUS) if (doc, o) == (document_id, ordinal))
