"""The retrieval service on real stores (qdrant-edge + SQLite / PostgreSQL), fake embedding model."""

from __future__ import annotations

import pytest

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, User
from lumikb_app.domain.retrieval import SearchInputError
from lumikb_app.services.knowledge_bases import kb_config, kbs
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.services.retrieval import search
from tests.integration.retrieval.search_helpers import POLICY, World, make_world

pytestmark = pytest.mark.integration

DEPLOY = "# Deploy failures\n\nWhen a deploy fails with error XQ-4471, restart the queue worker."
PARKING = (
    "# Parking\n\nThe car park behind the office closes at eight, so move your car before then."
)
LUNCH = "The canteen serves lunch from noon until two, with a vegetarian dish every day."
BUDGET = "# Budget\n\nThe quarterly budget review for the finance team happens every March."


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


def _names(response) -> list[str]:
    return [p.document_name for p in response.passages]


def test_hybrid_finds_a_passage_by_exact_keyword_and_by_meaning(world):
    for name, text in [("deploy.md", DEPLOY), ("parking.md", PARKING), ("lunch.txt", LUNCH)]:
        world.ingest(world.kb_a, name, text)

    by_keyword = search.search(world.reader, "XQ-4471").passages[0]
    assert by_keyword.document_name == "deploy.md" and by_keyword.kb_name == "Engineering"
    assert by_keyword.keyword and set(by_keyword.matched_terms) == {"xq", "4471"}
    assert "XQ-4471" in by_keyword.text and by_keyword.mime_type == "text/markdown"

    by_meaning = search.search(world.reader, "automobile").passages[0]  # no document says it
    assert by_meaning.document_name == "parking.md"
    assert by_meaning.semantic and not by_meaning.keyword and by_meaning.matched_terms == ()
    scores = [p.score for p in search.search(world.reader, "car park lunch").passages]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1


def test_only_ready_documents_and_their_current_version_are_returned(world):
    lunch = world.ingest(world.kb_a, "lunch.txt", LUNCH)
    v1 = world.ingest(world.kb_a, "notes.md", "# Notes\n\nThe launch code word is alpha.")
    assert _names(search.search(world.admin, "canteen lunch"))[0] == "lunch.txt"

    v2 = world.ingest(world.kb_a, "notes.md", "# Notes\n\nThe launch code word is bravo.")
    found = search.search(world.admin, "launch code word alpha").passages
    # one document id for both versions; the passage is version 2's
    assert [(p.document_id, p.version) for p in found if p.document_name == "notes.md"] == [(v1, 2)]
    assert v1 != v2 and all("alpha" not in p.text for p in found)

    with transaction() as session:  # being re-processed: its vectors exist but it is not ready
        doc = session.get(Document, lunch)
        doc.status = "embedding"
        session.add(doc)
    assert "lunch.txt" not in _names(search.search(world.admin, "canteen lunch"))


def test_a_user_gets_nothing_from_a_kb_without_a_grant_even_when_naming_it(world):
    world.ingest(world.kb_a, "parking.md", PARKING)
    world.ingest(world.kb_b, "budget.md", BUDGET)
    query = "quarterly budget review"

    own = search.search(world.reader, query)
    assert own.kb_ids == (world.kb_a,) and "budget.md" not in _names(own)
    named = search.search(world.reader, query, kb_ids=[world.kb_b])
    probe = search.search(world.reader, query, kb_ids=["no-such-kb"])
    assert (named.passages, named.kb_ids) == (probe.passages, probe.kb_ids) == ([], ())
    both = search.search(world.reader, query, kb_ids=[world.kb_a, world.kb_b])
    assert both.kb_ids == (world.kb_a,) and {p.kb_id for p in both.passages} == {world.kb_a}
    assert search.search(world.outsider, query).passages == []

    admin = search.search(world.admin, query)
    assert set(admin.kb_ids) == {world.kb_a, world.kb_b}
    assert _names(admin)[0] == "budget.md"
    assert search.search(world.admin, query, kb_ids=[world.kb_b]).kb_ids == (world.kb_b,)


def test_deactivated_users_and_archived_kbs_are_not_searched(world):
    world.ingest(world.kb_a, "parking.md", PARKING)
    world.ingest(world.kb_b, "budget.md", BUDGET)
    assert search.search(world.reader, "car park").passages
    with transaction() as session:
        reader = session.get(User, world.reader.id)
        reader.is_active = False
        session.add(reader)
    kbs.set_archived(world.admin, world.kb_b, True)
    inactive = search.search(reader, "car park")
    assert (inactive.passages, inactive.kb_ids) == ([], ())
    assert search.search(world.admin, "quarterly budget").kb_ids == (world.kb_a,)


def test_document_type_filter(world):
    world.ingest(world.kb_a, "lunch.txt", LUNCH)
    world.ingest(world.kb_a, "menu.md", "# Menu\n\nLunch in the canteen: soup and bread.")
    assert set(_names(search.search(world.reader, "canteen lunch"))) == {"lunch.txt", "menu.md"}
    only_text = search.search(world.reader, "canteen lunch", doc_types=["text"])
    assert _names(only_text) == ["lunch.txt"]
    both = search.search(world.reader, "canteen lunch", doc_types=["markdown", "text"])
    assert set(_names(both)) == {"lunch.txt", "menu.md"}
    assert search.search(world.reader, "canteen lunch", doc_types=["pdf"]).passages == []


def test_each_kb_threshold_and_top_k_are_honoured(world):
    for name, text in [("deploy.md", DEPLOY), ("parking.md", PARKING), ("lunch.txt", LUNCH)]:
        world.ingest(world.kb_a, name, text)
    world.ingest(world.kb_b, "budget.md", BUDGET)
    assert len(search.search(world.admin, "zebra crossing", kb_ids=[world.kb_a]).passages) == 3

    kb_config.update_settings(world.admin, world.kb_a, {"similarity_threshold": 0.5})
    assert search.search(world.admin, "zebra crossing", kb_ids=[world.kb_a]).passages == []
    assert _names(search.search(world.admin, "car park", kb_ids=[world.kb_a])) == ["parking.md"]

    kb_config.update_settings(world.admin, world.kb_a, {"similarity_threshold": 0, "top_k": 1})
    from_a = search.search(world.admin, "the office canteen deploy", kb_ids=[world.kb_a])
    assert len(from_a.passages) == 1
    everywhere = search.search(world.admin, "the office canteen deploy budget")
    assert [p.kb_id for p in everywhere.passages].count(world.kb_a) == 1
    assert world.kb_b in {p.kb_id for p in everywhere.passages}
    assert len(search.search(world.admin, "office", limit=1).passages) == 1


def test_near_duplicate_passages_are_dropped(world):
    world.ingest(world.kb_a, "policy.md", POLICY + ".")
    world.ingest(world.kb_a, "policy-copy.md", POLICY + " abroad.")
    world.ingest(world.kb_a, "lunch.txt", LUNCH)
    names = _names(search.search(world.reader, "expense claims receipts"))
    assert len({"policy.md", "policy-copy.md"} & set(names)) == 1
    assert len(names) == len(set(names)) == 2


def test_bad_input_is_refused_with_a_reason_and_changes_nothing(world):
    world.ingest(world.kb_a, "lunch.txt", LUNCH)
    calls, cached = world.embedder.calls, len(get_container().cache)
    cases = [
        ("", None, "Type"),
        ("   \n\t ", None, "Type"),
        ("x" * 1001, None, "1000 characters"),
        ("lunch", ["spreadsheet"], "Unknown document type 'spreadsheet'"),
    ]
    for query, types, message in cases:
        with pytest.raises(SearchInputError, match=message):
            search.search(world.reader, query, doc_types=types)
    with pytest.raises(SearchInputError, match="at least one"):
        search.search(world.reader, "lunch", limit=0)
    assert (world.embedder.calls, len(get_container().cache)) == (calls, cached)
    assert search.search(world.reader, "x" * 1000).query == "x" * 1000
