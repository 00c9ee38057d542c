"""Cached query embeddings and results, and every document change making cached results stale."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container
from lumikb_app.ports.embeddings import EmbeddingError
from lumikb_app.services.documents import documents
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.retrieval import search
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

V1 = "# Notes\n\nThe launch code word is alpha."
V2 = "# Notes\n\nThe launch code word is bravo."


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


@pytest.fixture
def vector_searches(world, monkeypatch) -> list[str]:
    """The collections the vector store was asked to search, one entry per query leg."""
    vectors, calls = get_container().vectors, []
    real = vectors.search

    def counting(name, **kwargs):
        calls.append(name)
        return real(name, **kwargs)

    monkeypatch.setattr(vectors, "search", counting)
    return calls


def _texts(response) -> list[str]:
    return [p.text for p in response.passages]


def test_a_repeated_search_is_served_from_the_cache(world, vector_searches):
    world.ingest(world.kb_a, "notes.md", V1)
    embeds = world.embedder.calls
    first = search.search(world.reader, "launch code word")
    legs = 3  # dense, keyword and document cards
    assert world.embedder.calls == embeds + 1 and len(vector_searches) == legs

    again = search.search(world.reader, "  launch   code word ")
    assert again.passages == first.passages and again.kb_ids == first.kb_ids
    assert world.embedder.calls == embeds + 1 and len(vector_searches) == legs

    # another filter is another result, but the query's embedding is reused
    search.search(world.reader, "launch code word", doc_types=["markdown"])
    assert world.embedder.calls == embeds + 1 and len(vector_searches) == 2 * legs
    # the admin searches other KBs (A and B): another result set
    search.search(world.admin, "launch code word")
    assert len(vector_searches) == 3 * legs


def test_a_new_version_of_a_document_invalidates_cached_results(world):
    world.ingest(world.kb_a, "notes.md", V1)
    assert "alpha" in _texts(search.search(world.reader, "launch code word"))[0]
    world.ingest(world.kb_a, "notes.md", V2)
    assert "bravo" in _texts(search.search(world.reader, "launch code word"))[0]


def test_a_new_or_deleted_document_invalidates_cached_results(world):
    first = world.ingest(world.kb_a, "notes.md", V1)
    assert len(search.search(world.reader, "launch code word").passages) == 1
    second = world.ingest(world.kb_a, "more.md", "# More\n\nAnother launch code word: charlie.")
    found = search.search(world.reader, "launch code word").passages
    assert {p.document_id for p in found} == {first, second}

    documents.delete_document(world.admin, first)
    found = search.search(world.reader, "launch code word").passages
    assert [p.document_id for p in found] == [second]


def test_a_kb_settings_change_invalidates_cached_results(world):
    world.ingest(world.kb_a, "notes.md", V1)
    world.ingest(world.kb_a, "more.md", "# More\n\nAnother launch code word: charlie.")
    assert len(search.search(world.reader, "launch code word").passages) == 2
    kb_config.update_settings(world.admin, world.kb_a, {"top_k": 1})
    assert len(search.search(world.reader, "launch code word").passages) == 1


def test_losing_a_grant_takes_effect_on_the_next_search(world):
    from lumikb_app.services.accounts import grants

    world.ingest(world.kb_a, "notes.md", V1)
    assert search.search(world.reader, "launch code word").passages
    grants.remove_grant(world.admin, world.kb_a, world.reader.id)
    gone = search.search(world.reader, "launch code word")
    assert (gone.passages, gone.kb_ids) == ([], ())


def test_when_the_embedding_model_fails_keywords_still_answer_and_nothing_is_cached(
    world, monkeypatch
):
    world.ingest(world.kb_a, "notes.md", V1)
    real = world.embedder.embed_query

    def down(text):
        raise EmbeddingError("The embedding service did not answer.")

    monkeypatch.setattr(world.embedder, "embed_query", down)
    [hit] = search.search(world.reader, "launch code word").passages
    assert hit.keyword and not hit.semantic
    monkeypatch.setattr(world.embedder, "embed_query", real)
    [hit] = search.search(world.reader, "launch code word").passages
    assert hit.keyword and hit.semantic
