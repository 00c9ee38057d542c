"""Research harness for retrieval quality: evaluates pipeline variants from cached embeddings.

Parses and chunks a corpus folder with the product's parser and chunker, embeds every chunk
once per (model, text) into an on-disk cache (sqlite under CACHE_DIR), and scores many variants
(chunk size, BM25 parameters, fusion, document aggregation, rerankers) in seconds with numpy.
Used by bench/retrieval_quality.py; the product's own figures come from `python -m lumikb_app eval`.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CACHE_DIR = Path("/tmp/lumikb-quality")


@dataclass(frozen=True)
class ChunkRow:
    doc_id: str
    ordinal: int
    title: str
    heading_path: tuple[str, ...]
    text: str


def parsed_corpus(folder: Path) -> dict[str, object]:
    from lumikb_app.services.documents.parsing import detect_path_type, parse

    cache = CACHE_DIR / f"parsed-{folder.name}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    docs = {}
    for path in sorted(folder.iterdir()):
        if path.is_file():
            docs[path.stem] = parse(path, detect_path_type(path))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(docs))
    return docs


def chunk_rows(docs: dict[str, object], chunk_tokens: int, overlap: int) -> list[ChunkRow]:
    from lumikb_app.services.documents.chunking import chunk

    rows = []
    for doc_id, parsed in docs.items():
        for draft in chunk(parsed, chunk_tokens=chunk_tokens, overlap_tokens=overlap):
            rows.append(
                ChunkRow(
                    doc_id,
                    draft.ordinal,
                    parsed.title or doc_id,
                    tuple(draft.heading_path),
                    draft.text,
                )
            )
    return rows


def indexed_text(row: ChunkRow) -> str:
    """What the product embeds and BM25-indexes: services/documents/indexing.embed_text."""
    from lumikb_app.db.tables import Chunk, Document
    from lumikb_app.services.documents.indexing import embed_text

    passage = Chunk(text=row.text, heading_path=list(row.heading_path))
    return embed_text(Document(name=row.doc_id), passage, row.title)


class EmbeddingCache:
    def __init__(self, path: Path = CACHE_DIR / "embeddings.sqlite") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("create table if not exists v (k text primary key, vec blob)")

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()

    def vectors(
        self,
        model: str,
        texts: Sequence[str],
        embed: Callable[[list[str]], list[list[float]]],
        batch: int = 32,
    ) -> np.ndarray:
        keys = [self.key(model, t) for t in texts]
        found = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            for k, blob in self.db.execute(f"select k, vec from v where k in ({marks})", part):
                found[k] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, k in enumerate(keys) if k not in found]
        started = time.perf_counter()
        for done in range(0, len(missing), batch):
            run = missing[done : done + batch]
            for i, vec in zip(run, embed([texts[i] for i in run]), strict=True):
                arr = np.asarray(vec, dtype=np.float32)
                found[keys[i]] = arr
                self.db.execute("insert or replace into v values (?, ?)", (keys[i], arr.tobytes()))
            self.db.commit()
            rate = (done + len(run)) / max(time.perf_counter() - started, 1e-6)
            print(
                f"\r  {model}: embedded {done + len(run)}/{len(missing)} ({rate:.1f}/s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
        if missing:
            print(file=sys.stderr)
        return np.stack([found[k] for k in keys])


class SparseIndex:
    """BM25 as the product's vector store computes it: Qdrant's Bm25 document weights times
    the IDF over the indexed points, summed over the unique query terms."""

    def __init__(self, texts: Sequence[str], *, k1=1.2, b=0.75, avg_len=256.0, idf="qdrant"):
        import qdrant_edge

        self.model = qdrant_edge.Bm25(qdrant_edge.Bm25Config(k=k1, b=b, avg_len=avg_len))
        postings: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for row, text in enumerate(texts):
            vec = self.model.embed_document(text)
            for term, weight in zip(vec.indices, vec.values, strict=True):
                postings[term].append((row, weight))
        n = len(texts)
        self.n = n
        self.postings = {
            t: (np.array([r for r, _ in p]), np.array([w for _, w in p], dtype=np.float32))
            for t, p in postings.items()
        }
        self.idf = {
            t: float(np.log(1 + (n - len(p[0]) + 0.5) / (len(p[0]) + 0.5)))
            for t, p in self.postings.items()
        }

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for term in set(self.model.embed_query(query).indices):
            if term in self.postings:
                rows, weights = self.postings[term]
                out[rows] += self.idf[term] * weights
        return out


def load_queries(folder: Path) -> tuple[dict[str, str], dict[str, dict[str, float]]]:
    """The folder's BEIR queries.jsonl and qrels.tsv, read as `lumikb_app eval` reads them."""
    from lumikb_app.services.retrieval.eval_inputs import load_qrels
    from lumikb_app.services.retrieval.eval_inputs import load_queries as read_queries

    return read_queries(folder / "queries.jsonl"), load_qrels(folder / "qrels.tsv")
