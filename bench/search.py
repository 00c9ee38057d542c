"""Search latency at scale: the query path with its embedding, next to exact numpy brute force.

Usage: python -m bench.search [N ...]   (default 10_000 and 100_000 synthetic chunks)

Each chunk is a random 384-d unit vector and ~80 words drawn (Zipf) from the PEP corpus
vocabulary, in one KB of a temporary embedded deployment; every 20 chunks make a document with
one card point. Every query is a new sentence,
so no cache answers it. Rows:

- the search service (`services.search.search` as the app calls it: access check, query
  embedding with the default model, dense, BM25 and card legs in qdrant-edge, fusion, SQL join
  to the chunk rows, duplicate removal);
- the vector port alone: embed the query, then the dense and the BM25 leg (qdrant-edge);
- the baseline: embed the query, then exact dense top-50 by numpy brute force over the same
  vectors.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mb, summary, timed_ms  # noqa: E402
from bench.synthetic import admin_and_kb, deployment, rows_and_points, store  # noqa: E402

DIM, QUERIES, WORDS, POOL = 384, 100, 80, 50
CHUNKS_PER_DOC = 20
PEPS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "peps"


def vocabulary(size: int = 20_000) -> list[str]:
    counts: Counter[str] = Counter()
    for path in sorted(PEPS.glob("*.rst"))[:300]:
        counts.update(re.findall(r"[a-z]{3,}", path.read_text(encoding="utf-8").lower()))
    words = [w for w, _ in counts.most_common(size)]
    return words or [f"word{i}" for i in range(size)]


class Synthetic:
    def __init__(self, n: int, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = vocabulary()
        vectors = self.rng.standard_normal((n, DIM)).astype(np.float32)
        self.vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        self.n = n

    def sentence(self, length: int) -> str:
        ranks = (self.rng.zipf(1.2, length) - 1) % len(self.words)
        return " ".join(self.words[r] for r in ranks)

    def queries(self) -> list[str]:
        return [f"{self.sentence(6)} {i}" for i in range(QUERIES)]


def _seed(data: Synthetic) -> tuple[object, str, float]:
    """Admin, KB, ready documents and chunk rows in SQL; points in the vector store."""
    from lumikb_app.container import get_container
    from lumikb_app.domain.models import BUILTIN_EMBEDDER
    from lumikb_app.services.documents import indexing

    container = get_container()
    user, kb_id = admin_and_kb(container)
    embedder = container.embedder_for(BUILTIN_EMBEDDER)
    collection = indexing.collection_for(embedder)
    container.vectors.ensure_collection(collection, DIM)
    cards = indexing.card_collection_for(embedder)
    container.vectors.ensure_collection(cards, DIM)
    started = time.perf_counter()
    for first in range(0, data.n, 5000):
        count = min(5000, data.n - first)
        docs, rows, points = rows_and_points(
            kb_id, [data.sentence(WORDS) for _ in range(count)], data.vectors[first : first + count],
            first=first, chunks_per_doc=CHUNKS_PER_DOC, name="doc-{n}.md", mime_type="text/markdown",
        )  # fmt: skip
        store(container, collection, docs, rows, points)
        container.vectors.upsert(cards, points[::CHUNKS_PER_DOC])  # one card per document
        print(f"\r  seeded {first + len(points)}/{data.n}", end="", file=sys.stderr, flush=True)
    container.vectors.optimize(collection)
    container.vectors.optimize(cards)
    print(file=sys.stderr)
    return user, kb_id, time.perf_counter() - started


def run(n: int) -> None:
    from lumikb_app.container import get_container
    from lumikb_app.domain.models import BUILTIN_EMBEDDER
    from lumikb_app.services.documents import indexing
    from lumikb_app.services.retrieval import search

    print(f"== search: {n} chunks x {DIM}-d + BM25 text, 1 KB, top {POOL} per leg ==")
    data = Synthetic(n)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        deployment(tmp)
        user, kb_id, seconds = _seed(data)
        print(f"seeded in {seconds:.0f} s (SQL rows, upsert, optimize)")
        container = get_container()
        embedder = container.embedder_for(BUILTIN_EMBEDDER)
        collection = indexing.collection_for(embedder)
        embedder.embed_query("warm up")
        search.search(user, "warm up the search path", kb_ids=[kb_id])

        queries = iter(data.queries())
        service = timed_ms(lambda: search.search(user, next(queries), kb_ids=[kb_id]), QUERIES)

        def port() -> None:
            text = next(queries)
            vector = embedder.embed_query(text)
            container.vectors.search(
                collection, kb_ids=[kb_id], dense=vector, limit=POOL, mode="dense"
            )
            container.vectors.search(
                collection, kb_ids=[kb_id], text=text, limit=POOL, mode="sparse"
            )

        queries = iter(data.queries())
        edge = timed_ms(port, QUERIES)

        def brute() -> None:
            vector = np.asarray(embedder.embed_query(next(queries)), dtype=np.float32)
            scores = data.vectors @ vector
            top = np.argpartition(-scores, POOL)[:POOL]
            top[np.argsort(-scores[top])]

        queries = iter(data.queries())
        exact = timed_ms(brute, QUERIES)
        queries = iter(data.queries())
        embed_only = timed_ms(lambda: embedder.embed_query(next(queries)), QUERIES)
        from lumikb_app.container import reset_container

        reset_container()
    print(f"search service (embed + hybrid + SQL)   {summary(service)}")
    print(f"vector port (embed + dense + BM25)      {summary(edge)}")
    print(f"numpy brute force (embed + exact dense) {summary(exact)}")
    print(f"query embedding alone                   {summary(embed_only)}")
    print(f"peak RSS {peak_rss_mb():.0f} MB")


def main(sizes: tuple[int, ...] = (10_000, 100_000)) -> None:
    for n in sizes:
        run(n)


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or (10_000, 100_000))
