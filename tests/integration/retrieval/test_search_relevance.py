"""Search results carry absolute evidence: the dense similarity and a relevance that means the
same for every question. The fake embedding model's cosine is not calibrated, so relevance here
rests on the question's words (gibberish with the real model: tests/integration/chat/
test_chat_code_and_confidence.py)."""

from __future__ import annotations

import pytest

from lumikb_app.services.retrieval import search
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

DEPLOY = "# Deploy failures\n\nWhen a deploy fails with error XQ-4471, restart the queue worker."
PARKING = (
    "# Parking\n\nThe car park behind the office closes at eight, so move your car before then."
)
LUNCH = "The canteen serves lunch from noon until two, with a vegetarian dish every day."


@pytest.fixture(params=["sqlite"])
def world(request, data_dir, monkeypatch) -> World:
    world = make_world(request, monkeypatch)
    for name, text in [("deploy.md", DEPLOY), ("parking.md", PARKING), ("lunch.txt", LUNCH)]:
        world.ingest(world.kb_a, name, text)
    return world


def test_a_matching_passage_carries_its_similarity_and_a_high_relevance(world):
    found = search.search(world.reader, "deploy fails with error XQ-4471").passages
    best = found[0]
    assert best.document_name == "deploy.md" and best.semantic and best.keyword
    assert best.similarity is not None and 0.2 <= best.similarity <= 1.0
    assert best.relevance >= 0.6
    assert all(p.relevance < best.relevance for p in found[1:])


def test_a_passage_sharing_one_word_by_chance_is_found_but_reads_as_weak(world):
    found = {
        p.document_name: p for p in search.search(world.reader, "office chair repair").passages
    }
    weak = found["parking.md"]  # holds "office" only
    assert weak.keyword and weak.relevance < 0.3
    assert weak.score == 1.0  # first of its list all the same: the score is relative
