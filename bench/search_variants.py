"""The real search service on a kept evaluation KB under several fusion settings.

Usage: DATA_DIR=... python -m bench.search_variants KB_ID [QUERIES QRELS]
Create the KB once with `python -m lumikb_app eval --corpus ../shared/corpora/peps ... --keep`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lumikb_app.services.retrieval import evaluation, search
from lumikb_app.services.retrieval.eval_inputs import load_qrels, load_queries  # noqa: E402

EVAL = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "peps-eval"
VARIANTS = {
    "BM25 passages only": search.Tuning(dense_weight=0, card_weight=0),
    "dense passages only": search.Tuning(dense_weight=1, sparse_weight=0, card_weight=0),
    "RRF dense + BM25 (before)": search.Tuning(dense_weight=1, card_weight=0),
    "RRF dense + BM25 + cards": search.Tuning(dense_weight=1, card_weight=1),
    "BM25 + cards (default)": search.Tuning(),
}


def main(kb_id: str, queries: Path, qrels: Path) -> None:
    user = evaluation.eval_user(create=False)
    questions, judgements = load_queries(queries), load_qrels(qrels)
    corpus_ids = evaluation.existing_corpus_ids(user, kb_id)
    print(f"{'variant':<28} nDCG@10  R@1    R@5    R@10   MRR@10  p50/p95 ms")
    for name, tuning in VARIANTS.items():
        search.TUNING = tuning
        r = evaluation.evaluate(user, kb_id, questions, judgements, corpus_ids)
        m = r.metrics
        print(
            f"{name:<28} {m['ndcg@10']:.3f}    {m['recall@1']:.3f}  {m['recall@5']:.3f}  "
            f"{m['recall@10']:.3f}  {m['mrr@10']:.3f}   {r.latency_p50_ms:.0f}/{r.latency_p95_ms:.0f}"
        )


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], Path(args[1]) if len(args) > 1 else EVAL / "queries.jsonl",
         Path(args[2]) if len(args) > 2 else EVAL / "qrels.tsv")  # fmt: skip
