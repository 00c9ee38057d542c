"""Filtered dense search on the embedded vector store next to exact numpy brute force.

Usage: python -m bench.vectors [N]   (default 10_000 random 384-d vectors, 10 KBs)
"""

import sys
import tempfile
import time
import uuid

import numpy as np

from bench.common import peak_rss_mb, summary, timed_ms
from lumikb_app.adapters.qdrant_edge import QdrantEdgeIndex
from lumikb_app.ports.vectors import VectorPoint

DIM, KBS, QUERIES = 384, 10, 200


def _points(vectors: np.ndarray, kb_of: np.ndarray) -> list[VectorPoint]:
    return [
        VectorPoint(
            id=str(uuid.UUID(int=i + 1)),
            dense=vectors[i].tolist(),
            text=f"passage {i} about topic {i % 97}",
            payload={"kb_id": f"kb{kb_of[i]}", "document_id": f"d{i // 20}"},
        )
        for i in range(len(vectors))
    ]


def main(n: int = 10_000) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    kb_of = rng.integers(0, KBS, n)
    queries = rng.standard_normal((QUERIES, DIM)).astype(np.float32)
    allowed = ["kb1", "kb2"]
    mask = np.isin(kb_of, [1, 2])

    print(f"== vectors: {n} x {DIM}-d, filter to 2 of {KBS} KBs, top 10 ==")
    with tempfile.TemporaryDirectory() as tmp:
        index = QdrantEdgeIndex(tmp)
        index.ensure_collection("bench", DIM)
        started = time.perf_counter()
        points = _points(vectors, kb_of)
        for i in range(0, n, 1000):
            index.upsert("bench", points[i : i + 1000])
        upserted = time.perf_counter() - started
        index.optimize("bench")
        print(
            f"upsert {n / upserted:8.0f} points/s; optimize {time.perf_counter() - started - upserted:.1f} s"
        )
        it = iter(queries)
        edge = timed_ms(
            lambda: index.search(
                "bench", kb_ids=allowed, dense=next(it).tolist(), limit=10, mode="dense"
            ),
            QUERIES,
        )
        index.close()

    it = iter(queries)

    def brute() -> None:
        scores = vectors[mask] @ next(it)
        np.argpartition(-scores, 10)[:10]

    print(f"qdrant-edge HNSW (filtered)   {summary(edge)}")
    print(f"numpy brute force (baseline)  {summary(timed_ms(brute, QUERIES))}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
