"""Ingestion throughput per stage: parse, chunk, embed, index, on the embedded backends.

Prints per-stage seconds, pages/s, chunks/s and peak RSS for a generated 50-page text PDF and
for the PEP corpus, with the default embedder next to the hashing fake embedder (the pipeline's
own cost without a model) as the baseline measured in the same run.

Usage: python -m bench.ingest [--limit N]   (default: all 690 PEPs)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.common import peak_rss_mb
from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder
from lumikb_app.adapters.qdrant_edge import QdrantEdgeIndex
from lumikb_app.db.tables import Chunk, Document
from lumikb_app.ports.vectors import VectorPoint
from lumikb_app.services.documents.chunking import chunk
from lumikb_app.services.documents.indexing import embed_text
from lumikb_app.services.documents.parsing import detect_path_type, parse
from tests.unit.documents.test_parsing import make_pdf

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BATCH = 32
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "the",
    "lazy",
    "dog",
    "while",
    "engineers",
    "review",
    "the",
    "design",
]


def fifty_page_pdf(directory: Path) -> Path:
    pages = [
        [
            f"Page {p} line {i}: "
            + " ".join(WORDS[(p + i + k) % len(WORDS)] for k in range(12))
            + "."
            for i in range(45)
        ]
        for p in range(50)
    ]
    path = directory / "fifty-pages.pdf"
    path.write_bytes(make_pdf(pages, title="Fifty pages"))
    return path


def ingest(
    paths: list[Path], embedder, index: QdrantEdgeIndex, collection: str
) -> tuple[dict, int, int]:
    seconds: dict[str, float] = defaultdict(float)
    pages = chunks = 0
    index.ensure_collection(collection, embedder.dimension)
    for n, path in enumerate(paths):
        t = time.perf_counter()
        doc = parse(path, detect_path_type(path))
        seconds["parse"] += time.perf_counter() - t
        t = time.perf_counter()
        drafts = chunk(doc)
        seconds["chunk"] += time.perf_counter() - t
        document = Document(name=path.name)
        rows = [Chunk(text=d.text, heading_path=list(d.heading_path)) for d in drafts]
        for start in range(0, len(rows), BATCH):
            t = time.perf_counter()
            batch = [embed_text(document, row, doc.title) for row in rows[start : start + BATCH]]
            vectors = embedder.embed_documents(batch)
            seconds["embed"] += time.perf_counter() - t
            t = time.perf_counter()
            points = [
                VectorPoint(
                    id=f"00000000-0000-0000-{n:04d}-{start + i:012d}",
                    dense=v,
                    text=batch[i],
                    payload={"kb_id": "bench", "document_id": str(n)},
                )
                for i, v in enumerate(vectors)
            ]
            index.upsert(collection, points)
            seconds["index"] += time.perf_counter() - t
        pages += doc.page_count or 0
        chunks += len(drafts)
    t = time.perf_counter()
    index.optimize(collection)
    seconds["optimize"] += time.perf_counter() - t
    return seconds, pages, chunks


def report(label: str, paths: list[Path], embedder) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        index = QdrantEdgeIndex(Path(tmp) / "vectors")
        started = time.perf_counter()
        seconds, pages, chunks = ingest(paths, embedder, index, "bench")
        total = time.perf_counter() - started
        index.close()
    stages = "  ".join(f"{k} {v:6.1f}s" for k, v in seconds.items())
    rate = f"{pages / total:6.1f} pages/s  " if pages else ""
    print(
        f"{label:34s} total {total:7.1f}s  {rate}{chunks / total:6.1f} chunks/s  ({len(paths)} docs, {chunks} chunks)"
    )
    print(f"{'':34s} {stages}   peak RSS {peak_rss_mb():.0f} MB")


def main(limit: int = 0) -> None:
    default, fake = OnnxMiniLMEmbedder(), FakeEmbedder(384)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = fifty_page_pdf(Path(tmp))
        print("== ingest: generated 50-page text PDF ==")
        report("default embedder (MiniLM int8)", [pdf], default)
        report("baseline: fake hashing embedder", [pdf], fake)
    peps = sorted((CORPORA / "peps").glob("*.rst"))[: limit or None]
    print(f"== ingest: {len(peps)} PEPs ==")
    report("default embedder (MiniLM int8)", peps, default)
    report("baseline: fake hashing embedder", peps, fake)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0)
    main(parser.parse_args().limit)
