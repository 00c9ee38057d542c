"""Ranking metrics for retrieval evaluation: nDCG@k, Recall@k, MRR@k, latency percentiles.

``ranking`` is a list of document ids, best first; ``relevant`` maps a document id to its
graded relevance (qrels score). Ids with a grade of 0 or less do not count as relevant. Gains
are linear in the grade, as in trec_eval and BEIR.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def _relevant(relevant: Mapping[str, float]) -> dict[str, float]:
    return {doc: grade for doc, grade in relevant.items() if grade > 0}


def ndcg_at(ranking: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    grades = _relevant(relevant)
    if not grades:
        return 0.0
    dcg = sum(grades.get(doc, 0.0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg


def recall_at(ranking: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    grades = _relevant(relevant)
    if not grades:
        return 0.0
    return len(set(ranking[:k]) & grades.keys()) / len(grades)


def mrr_at(ranking: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    grades = _relevant(relevant)
    for rank, doc in enumerate(ranking[:k]):
        if doc in grades:
            return 1.0 / (rank + 1)
    return 0.0


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between the closest ranks."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def unique_in_order(ids: Sequence[str]) -> list[str]:
    """Each id at its first (best) position: documents ranked by their best chunk."""
    return list(dict.fromkeys(ids))


def score_run(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """Mean metrics over the queries that have qrels (a query without a ranking scores 0)."""
    queries = [q for q, grades in qrels.items() if _relevant(grades)]
    if not queries:
        return {}
    per_metric = {
        "ndcg@10": lambda r, g: ndcg_at(r, g, 10),
        "recall@1": lambda r, g: recall_at(r, g, 1),
        "recall@5": lambda r, g: recall_at(r, g, 5),
        "recall@10": lambda r, g: recall_at(r, g, 10),
        "mrr@10": lambda r, g: mrr_at(r, g, 10),
    }
    return {
        name: sum(metric(rankings.get(q, []), qrels[q]) for q in queries) / len(queries)
        for name, metric in per_metric.items()
    }
