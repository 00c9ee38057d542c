"""Document cards in search: the document that is about the question comes first, and a card
never reaches a user without a grant on its KB (embedded stores, fake embedding model)."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container
from lumikb_app.services.documents import indexing
from lumikb_app.services.retrieval import search
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

FILLER = " ".join(
    f"Paragraph {i} of the appendix lists opening hours and room numbers." for i in range(60)
)
GARDEN = "# Gardening\n\nThe garden club grows tomatoes and beans.\n\n## Appendix\n\n" + FILLER
# mentions tomatoes in passing, in a document about something else
KITCHEN = "# Kitchen rota\n\nWho cleans the kitchen each week. Tomatoes go in the fridge."


@pytest.fixture(params=["sqlite"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


def _cards(world: World) -> int:
    collection = indexing.card_collection_for(world.embedder)
    return get_container().vectors.count(collection, kb_ids=[world.kb_a, world.kb_b])


def test_each_ready_document_has_one_card_and_loses_it_when_deleted(world):
    from lumikb_app.services.documents import documents

    world.ingest(world.kb_a, "garden.md", GARDEN)
    world.ingest(world.kb_a, "kitchen.md", KITCHEN)
    assert _cards(world) == 2
    garden = world.ingest(world.kb_a, "garden.md", GARDEN + "\n\nBeans need poles.")  # v2
    from tests.integration.documents.ingest_helpers import wait_for

    wait_for(lambda: _cards(world) == 2, what="the old version's card to go")
    documents.delete_document(world.admin, garden)
    wait_for(lambda: _cards(world) == 1, what="the deleted document's card to go")


def test_the_document_about_the_question_ranks_first(world):
    world.ingest(world.kb_a, "garden.md", GARDEN)
    world.ingest(world.kb_a, "kitchen.md", KITCHEN)
    found = search.search(world.reader, "garden club tomatoes").passages
    assert found[0].document_name == "garden.md"
    assert found[0].semantic and found[0].score == max(p.score for p in found)


def test_cards_of_a_kb_without_a_grant_give_nothing(world):
    world.ingest(world.kb_b, "garden.md", GARDEN)
    assert search.search(world.reader, "garden club tomatoes").passages == []
    assert search.search(world.outsider, "garden club tomatoes").passages == []
    assert search.search(world.admin, "garden club tomatoes").passages[0].kb_id == world.kb_b


def test_reconcile_adds_the_card_of_a_document_indexed_without_one(world):
    from lumikb_app.services.documents import reconcile

    garden = world.ingest(world.kb_a, "garden.md", GARDEN)
    world.ingest(world.kb_a, "kitchen.md", KITCHEN)
    vectors = get_container().vectors
    vectors.delete_document(indexing.card_collection_for(world.embedder), garden)
    assert _cards(world) == 1
    report = reconcile.run()
    assert report["document_cards_added"] == 1 and report["documents_reindexed"] == 0
    assert _cards(world) == 2
    assert reconcile.run()["document_cards_added"] == 0
