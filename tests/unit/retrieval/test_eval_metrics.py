"""Ranking metrics against values worked out by hand."""

import math

import pytest

from lumikb_app.services.retrieval.eval_metrics import (
    mrr_at,
    ndcg_at,
    percentile,
    recall_at,
    score_run,
    unique_in_order,
)

pytestmark = pytest.mark.unit

ONE = {"d1": 1.0}


def test_ndcg_of_a_single_relevant_document_follows_its_rank():
    assert ndcg_at(["d1", "x", "y"], ONE, 10) == 1.0
    assert ndcg_at(["x", "d1"], ONE, 10) == pytest.approx(1 / math.log2(3))  # 0.6309
    assert ndcg_at(["x", "y", "d1"], ONE, 10) == pytest.approx(0.5)
    assert ndcg_at([f"x{i}" for i in range(10)] + ["d1"], ONE, 10) == 0.0


def test_ndcg_with_graded_judgements_divides_by_the_ideal_order():
    grades = {"a": 2.0, "b": 1.0}
    # DCG = 1/log2(2) + 2/log2(3) = 1 + 1.2619; IDCG = 2 + 1/log2(3) = 2.6309
    assert ndcg_at(["b", "a"], grades, 10) == pytest.approx(2.2619 / 2.6309, abs=1e-4)


def test_recall_counts_relevant_documents_within_the_cutoff():
    grades = {"a": 1.0, "b": 1.0, "c": 1.0, "z": 0.0}
    ranking = ["a", "x", "b", "y", "z", "c"]
    assert recall_at(ranking, grades, 1) == pytest.approx(1 / 3)
    assert recall_at(ranking, grades, 5) == pytest.approx(2 / 3)
    assert recall_at(ranking, grades, 10) == 1.0


def test_mrr_is_the_inverse_rank_of_the_first_relevant_document_within_the_cutoff():
    assert mrr_at(["x", "y", "d1"], ONE, 10) == pytest.approx(1 / 3)
    assert mrr_at(["x", "y", "d1"], ONE, 2) == 0.0


def test_a_query_without_relevant_documents_scores_zero_not_an_error():
    assert ndcg_at(["a"], {"a": 0.0}, 10) == 0.0
    assert recall_at(["a"], {}, 5) == 0.0


def test_score_run_averages_over_judged_queries_and_counts_missing_rankings_as_misses():
    qrels = {"q1": {"d1": 1.0}, "q2": {"d2": 1.0}, "q3": {"d3": 0.0}}
    rankings = {"q1": ["d1"], "q3": ["d3"]}  # q2 got nothing back, q3 has no relevant document
    run = score_run(rankings, qrels)
    assert run == {
        "ndcg@10": 0.5,
        "recall@1": 0.5,
        "recall@5": 0.5,
        "recall@10": 0.5,
        "mrr@10": 0.5,
    }


def test_documents_rank_by_their_best_passage():
    assert unique_in_order(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_percentile_interpolates_between_ranks():
    samples = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(samples, 50) == 30.0
    assert percentile(samples, 95) == pytest.approx(48.0)
    assert percentile([], 95) == 0.0
