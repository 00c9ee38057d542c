"""How the graph leg's passages fold into the hybrid ranking."""

from __future__ import annotations

from lumikb_app.services.graph.retrieval import GraphHit
from lumikb_app.services.retrieval import search
from lumikb_app.services.retrieval.search import _Candidate, _fold_graph


class _Leg:
    def __init__(self, hits):
        self.hits = hits

    def result(self):
        return self.hits


def _hybrid() -> dict[str, _Candidate]:
    """Five documents d1..d5, one passage each, d1 best."""
    return {f"c{i}": _Candidate(fused=0.05 - i * 0.005, document_id=f"d{i}") for i in range(1, 6)}


def _order(candidates: dict[str, _Candidate]) -> list[str]:
    return [c.document_id for c in sorted(candidates.values(), key=lambda c: -c.fused)]


def test_the_graph_never_reorders_the_hybrid_leaders_nor_lifts_anything_above_them():
    candidates = _hybrid()
    hits = [
        GraphHit("c3", "d3", 3.0, "A"),
        GraphHit("c5", "d5", 2.0, "A → B"),
        GraphHit("new", "d9", 1.0, "B"),
    ]
    assert _fold_graph(_Leg(hits), candidates)
    order = _order(candidates)
    assert order[:3] == ["d1", "d2", "d3"]
    assert order.index("d5") < order.index("d4")  # lifted past an unreached document
    assert "d9" in order  # the graph brings in what the hybrid legs missed
    assert candidates["c3"].via == "A" and candidates["new"].via == "B"


def test_a_failed_graph_leg_changes_nothing_and_says_so():
    candidates = _hybrid()
    before = {k: c.fused for k, c in candidates.items()}
    assert _fold_graph(_Leg(None), candidates) is False
    assert {k: c.fused for k, c in candidates.items()} == before


def test_protecting_no_document_lets_the_graph_decide_more(monkeypatch):
    monkeypatch.setattr(search, "TUNING", search.Tuning(graph_protected=0, graph_weight=5.0))
    candidates = _hybrid()
    _fold_graph(_Leg([GraphHit("c5", "d5", 1.0, "A")]), candidates)
    assert _order(candidates)[0] == "d5"
