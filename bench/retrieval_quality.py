"""Retrieval quality research on peps-eval: many pipeline variants from cached embeddings.

    .venv/bin/python -m bench.retrieval_quality [--chunk 300 --overlap 50]

Prints nDCG@10, Recall@1/5/10 and MRR@10 per variant. The first run parses the corpus and embeds
every chunk (minutes, cached under /tmp/lumikb-quality); later runs take seconds. The product's
own figures come from `python -m lumikb_app eval`, which runs the real search service.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.quality_harness import (  # noqa: E402
    EmbeddingCache,
    SparseIndex,
    chunk_rows,
    indexed_text,
    load_queries,
    parsed_corpus,
)
from lumikb_app.services.retrieval.eval_metrics import score_run  # noqa: E402

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
POOL = 50  # hits per leg, as services/search.py fetches


@dataclass
class World:
    rows: list
    doc_of: np.ndarray  # chunk -> document index
    docs: list[str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, float]]
    dense: dict[str, np.ndarray]  # query id -> cosine per chunk
    sparse: dict[str, np.ndarray]  # query id -> BM25 per chunk
    title_dense: dict[str, np.ndarray]  # query id -> cosine per document title
    card_dense: dict[str, np.ndarray]  # query id -> cosine per document card
    card_chunk: dict[int, int]  # document -> the chunk that stands for it


def ranks(scores: np.ndarray, pool: int = POOL) -> list[int]:
    top = np.argpartition(-scores, min(pool, len(scores) - 1))[:pool]
    top = top[scores[top] > 0] if scores[top].max() > 0 else top
    return list(top[np.argsort(-scores[top])])


def rrf(legs: list[tuple[list[int], float]], k: float) -> dict[int, float]:
    fused: dict[int, float] = {}
    for ranking, weight in legs:
        for rank, row in enumerate(ranking):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank + 1)
    return fused


def doc_ranking(world: World, chunk_scores: dict[int, float], extra: float = 0.0) -> list[str]:
    """Documents by best chunk; `extra` adds that share of the second-best chunk's score."""
    best: dict[int, list[float]] = {}
    for row, score in chunk_scores.items():
        best.setdefault(int(world.doc_of[row]), []).append(score)
    scored = {
        doc: max(s) + (extra * sorted(s)[-2] if extra and len(s) > 1 else 0.0)
        for doc, s in best.items()
    }
    return [world.docs[d] for d in sorted(scored, key=lambda d: -scored[d])]


Variant = Callable[[World, str], list[str]]


def bm25_only(world: World, qid: str) -> list[str]:
    return doc_ranking(world, {r: float(world.sparse[qid][r]) for r in ranks(world.sparse[qid])})


def dense_only(world: World, qid: str) -> list[str]:
    return doc_ranking(world, {r: float(world.dense[qid][r]) for r in ranks(world.dense[qid])})


def hybrid(k=60.0, wd=1.0, ws=1.0, wc=0.0, wt=0.0, extra=0.0) -> Variant:
    """What services/search.py does: weighted RRF of the chunk legs, plus, for every chunk, its
    document's rank among the cards (wc) or titles (wt); a document found only by its card
    enters through its card chunk."""

    def run(world: World, qid: str) -> list[str]:
        legs = [(ranks(world.dense[qid]), wd), (ranks(world.sparse[qid]), ws)]
        fused = rrf([(r, w) for r, w in legs if w], k)
        for weight, scores in ((wc, world.card_dense[qid]), (wt, world.title_dense[qid])):
            if weight:
                _document_bonus(world, fused, ranks(scores), weight, k)
        return doc_ranking(world, fused, extra)

    return run


def _document_bonus(world: World, fused: dict[int, float], doc_ranks, weight, k) -> None:
    bonus = {int(doc): weight / (k + rank + 1) for rank, doc in enumerate(doc_ranks)}
    for row in list(fused):
        fused[row] += bonus.get(int(world.doc_of[row]), 0.0)
    for doc, value in bonus.items():
        fused.setdefault(world.card_chunk[doc], value)


def build_world(chunk_tokens: int, overlap: int, bm25: dict) -> World:
    from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder

    docs_parsed = parsed_corpus(CORPORA / "peps")
    rows = chunk_rows(docs_parsed, chunk_tokens, overlap)
    texts = [indexed_text(r) for r in rows]
    queries, qrels = load_queries(CORPORA / "peps-eval")
    embedder = OnnxMiniLMEmbedder(cache_dir="/tmp/lumikb-quality/models", threads=1)
    cache = EmbeddingCache()
    chunk_vectors = cache.vectors(embedder.name, texts, embedder.embed_documents)
    docs = list(docs_parsed)
    index = {d: i for i, d in enumerate(docs)}
    titles = [docs_parsed[d].title or d for d in docs]
    title_vectors = cache.vectors(embedder.name, titles, embedder.embed_documents)
    cards, card_chunk = _cards(docs_parsed, rows, index)
    card_vectors = cache.vectors(embedder.name, cards, embedder.embed_documents)
    query_vectors = cache.vectors(
        embedder.name + ":q", list(queries.values()), embedder.embed_documents
    )
    sparse = SparseIndex(texts, **bm25)
    return World(
        rows=rows,
        doc_of=np.array([index[r.doc_id] for r in rows]),
        docs=docs,
        queries=queries,
        qrels=qrels,
        dense={q: chunk_vectors @ v for q, v in zip(queries, query_vectors, strict=True)},
        sparse={q: sparse.scores(t) for q, t in queries.items()},
        title_dense={q: title_vectors @ v for q, v in zip(queries, query_vectors, strict=True)},
        card_dense={q: card_vectors @ v for q, v in zip(queries, query_vectors, strict=True)},
        card_chunk=card_chunk,
    )


def _cards(docs_parsed, rows, index) -> tuple[list[str], dict[int, int]]:
    """Each document's card text and card chunk, as services/indexing.py builds them."""
    from lumikb_app.db.tables import Chunk, Document
    from lumikb_app.services.documents import indexing

    by_doc: dict[str, list[tuple[int, Chunk]]] = {}
    for number, row in enumerate(rows):
        chunk = Chunk(id=str(number), document_id=row.doc_id, kb_id="k", ordinal=row.ordinal,
                      text=row.text, char_start=0, char_end=0)  # fmt: skip
        by_doc.setdefault(row.doc_id, []).append((number, chunk))
    texts, card_chunk = [], {}
    for doc_id, parsed in docs_parsed.items():
        chunks = [c for _, c in by_doc[doc_id]]
        document = Document(id=doc_id, kb_id="k", name=doc_id, title=parsed.title)
        texts.append(indexing.card_text(document, chunks, parsed.title))
        card_chunk[index[doc_id]] = int(indexing.card_chunk(chunks).id)
    return texts, card_chunk


def evaluate(world: World, variant: Variant) -> dict[str, float]:
    return score_run({q: variant(world, q) for q in world.queries}, world.qrels)


def card_only(world: World, qid: str) -> list[str]:
    return [world.docs[d] for d in ranks(world.card_dense[qid])]


VARIANTS: dict[str, Variant] = {
    "bm25 (chunks)": bm25_only,
    "dense (chunks)": dense_only,
    "dense (cards)": card_only,
    "rrf k=60": hybrid(60),
    "rrf k=2": hybrid(2),
    "rrf k=60 bm25 x2": hybrid(60, ws=2),
    "bm25 + card": hybrid(60, wd=0, wc=1),
    "bm25 + card + title": hybrid(60, wd=0, wc=1, wt=1),
    "rrf + card": hybrid(60, wc=1),
    "rrf + card x2": hybrid(60, wc=2),
    "rrf + card, dense x0.5": hybrid(60, wd=0.5, wc=1),
    "rrf + card + 2nd chunk 0.3": hybrid(60, wc=1, extra=0.3),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunk", type=int, default=300)
    parser.add_argument("--overlap", type=int, default=50)
    parser.add_argument("--k1", type=float, default=1.2)
    parser.add_argument("--b", type=float, default=0.75)
    args = parser.parse_args()
    world = build_world(args.chunk, args.overlap, {"k1": args.k1, "b": args.b})
    print(f"{len(world.rows)} chunks of <= {args.chunk} tokens, {len(world.docs)} documents")
    print(f"{'variant':<28} nDCG@10   R@1    R@5    R@10   MRR@10")
    for name, variant in VARIANTS.items():
        m = evaluate(world, variant)
        print(
            f"{name:<28} {m['ndcg@10']:.3f}   {m['recall@1']:.3f}  {m['recall@5']:.3f}  "
            f"{m['recall@10']:.3f}  {m['mrr@10']:.3f}"
        )


if __name__ == "__main__":
    main()
