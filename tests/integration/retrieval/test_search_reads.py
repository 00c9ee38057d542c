"""A search reads and tokenises only the passages it can return, and returns the same passages,
matched words and highlights as reading them all would; each search times its stages."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.retrieval import passages, search, snippets
from tests.integration.retrieval.search_helpers import POLICY, World, make_world

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


def _shown(response) -> list[tuple]:
    """What a person sees of each result: which passage, its words, snippet and highlights."""
    return [
        (
            p.chunk_id,
            p.document_name,
            p.matched_terms,
            search.snippet(p),
            search.highlight_spans(search.snippet(p), p.matched_terms),
        )
        for p in response.passages
    ]


def test_only_the_returned_passages_are_tokenised_and_they_match_a_full_read(world, monkeypatch):
    for i in range(12):
        world.ingest(world.kb_a, f"kestrel-{i}.md", f"Note {i}: the kestrel hovers " + "x " * i)
    question = "where does the kestrel hover"
    kb_config.update_settings(world.admin, world.kb_a, {"top_k": 12})
    everything = search.search(world.admin, question, kb_ids=[world.kb_a])
    assert len(everything.passages) == 12

    read: list[str] = []
    real = snippets.matched_terms
    monkeypatch.setattr(
        passages.snippets, "matched_terms", lambda t, x: read.append(x) or real(t, x)
    )
    kb_config.update_settings(world.admin, world.kb_a, {"top_k": 3})
    top = search.search(world.admin, question, kb_ids=[world.kb_a])

    assert _shown(top) == _shown(everything)[:3]
    assert read == [p.text for p in top.passages]
    terms = snippets.query_terms(question)
    assert all(p.matched_terms == real(terms, p.text) == ("kestrel", "hover") for p in top.passages)


def test_near_duplicates_beyond_the_first_rows_read_are_skipped(world):
    for i in range(8):  # better matches than the answer, and near-copies of each other
        world.ingest(world.kb_a, f"policy-{i}.md", f"{POLICY} copy {i}.")
    world.ingest(world.kb_a, "reports.md", "Expense reports are due monthly.")
    kb_config.update_settings(world.admin, world.kb_a, {"top_k": 2})
    found = search.search(world.admin, "itemised receipts expense claims", kb_ids=[world.kb_a])
    names = [p.document_name for p in found.passages]
    assert len(names) == 2 and names[0].startswith("policy-")
    assert names[1] == "reports.md"


class LongestFirst:
    """A reranker model that prefers longer passages."""

    name = "longest-first"

    def scores(self, query: str, texts) -> list[float]:
        return [float(len(text)) for text in texts]


def test_a_reranker_reorders_the_best_candidates_read_with_their_matched_words(world, monkeypatch):
    for i in range(6):
        world.ingest(world.kb_a, f"kestrel-{i}.md", f"Note {i}: the kestrel hovers " + "x " * i)
    kb_config.update_settings(world.admin, world.kb_a, {"top_k": 3})
    monkeypatch.setattr(search, "reranker", LongestFirst())
    found = search.search(world.admin, "where does the kestrel hover", kb_ids=[world.kb_a])
    assert [p.document_name for p in found.passages] == [f"kestrel-{i}.md" for i in (5, 4, 3)]
    assert [p.score for p in found.passages] == [float(len(p.text)) for p in found.passages]
    assert all(p.matched_terms == ("kestrel", "hover") for p in found.passages)


STAGES = ("embed", "vector", "keyword", "fuse", "snippets", "total")


def _observed(stage: str) -> float:
    name = "lumikb_search_stage_seconds_count"
    return REGISTRY.get_sample_value(name, {"stage": stage}) or 0.0


def test_a_search_observes_each_of_its_stages(world):
    world.ingest(world.kb_a, "policy.md", POLICY)
    before = {stage: _observed(stage) for stage in STAGES}
    assert search.search(world.admin, "expense receipts").passages
    assert {stage: _observed(stage) - before[stage] >= 1 for stage in STAGES} == dict.fromkeys(
        STAGES, True
    )
    cached_total = _observed("total")
    search.search(world.admin, "expense receipts")  # answered from the cache: still timed
    assert _observed("total") == cached_total + 1
