"""Communities on the embedded graph store: two clusters give two communities titled by their
most mentioned entities, a recompute is stable and replaces the KB's rows, a burst of
schedule calls is one job, and a KB without a graph has no communities."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import GraphCommunity, KnowledgeBase
from lumikb_app.domain.graph import DocumentGraph, EntityDraft, MentionDraft, RelationDraft
from lumikb_app.domain.models import ModelKind
from lumikb_app.ports.llm import LlmError
from lumikb_app.services.graph import communities
from lumikb_app.services.graph.community_summary import MAX_MODEL_SUMMARIES
from lumikb_app.services.platform.transactions import read_session, transaction
from tests.graph_clusters import ASYNC, TYPING, cluster
from tests.graph_clusters import two_clusters as build_two_clusters
from tests.graph_llm_models import ScriptedModel
from tests.model_registry import answer_with, no_default_chat_model, register

pytestmark = pytest.mark.unit


def kb(mode: str = "fast") -> str:
    with transaction() as session:
        row = KnowledgeBase(name=f"KB {time.monotonic_ns()}", settings={"graph_mode": mode})
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def two_clusters(migrated):
    kb_id = kb()
    build_two_clusters(get_container().graph, kb_id)
    return kb_id


def community_names(kb_id: str) -> dict[int | None, set[str]]:
    grouped: dict[int | None, set[str]] = {}
    for entity in get_container().graph.find_entities([kb_id], "", limit=100):
        grouped.setdefault(entity.community, set()).add(entity.name)
    return grouped


def rows(kb_id: str) -> list[GraphCommunity]:
    with read_session() as session:
        query = select(GraphCommunity).where(GraphCommunity.kb_id == kb_id)
        return sorted(session.exec(query), key=lambda r: r.number)


def test_two_clusters_are_two_communities_titled_by_their_most_mentioned_entities(two_clusters):
    assert communities.recompute(two_clusters) == 2
    assert community_names(two_clusters) == {0: set(TYPING), 1: set(ASYNC)}
    typing_row, async_row = rows(two_clusters)
    assert (typing_row.number, typing_row.size, typing_row.title) == (
        0,
        4,
        "PEP 484, TypeVar, typing",
    )
    assert async_row.title == "asyncio, PEP 3156, event loop"
    assert typing_row.summary.startswith("4 entities around PEP 484, TypeVar and typing")
    assert '"pep 484 goes with typevar."' in typing_row.summary  # its heaviest relation
    assert [c.title for c in communities.communities_of(two_clusters)] == [
        typing_row.title,
        async_row.title,
    ]


def test_a_recompute_is_stable_and_replaces_the_kbs_rows(two_clusters):
    communities.recompute(two_clusters)
    first = {n: names for n, names in community_names(two_clusters).items()}
    before = [(r.number, r.title, r.summary, r.size, r.updated_at) for r in rows(two_clusters)]
    communities.recompute(two_clusters)
    assert community_names(two_clusters) == first
    after = rows(two_clusters)
    assert [(r.number, r.title, r.summary, r.size) for r in after] == [b[:4] for b in before]
    assert after[0].updated_at >= before[0][4]
    get_container().graph.delete_document(two_clusters, "doc-async")
    get_container().graph.delete_document(two_clusters, "doc-bridge")
    assert communities.recompute(two_clusters) == 1
    assert [r.title for r in rows(two_clusters)] == ["PEP 484, TypeVar, typing"]


def test_a_kb_without_a_graph_has_no_communities_and_loses_its_old_ones(two_clusters):
    empty = kb()
    assert communities.recompute(empty) == 0
    assert rows(empty) == []
    communities.recompute(two_clusters)
    for document in ("doc-typing", "doc-async", "doc-bridge"):
        get_container().graph.delete_document(two_clusters, document)
    assert communities.recompute(two_clusters) == 0
    assert rows(two_clusters) == []
    assert len(rows(empty)) == 0 and communities.communities_of("no-such-kb") == []
    assert communities.recompute("no-such-kb") == 0


def test_other_kbs_keep_their_communities(two_clusters):
    other = kb()
    get_container().graph.replace_document(other, "d", cluster("d", ASYNC))
    communities.recompute(other)
    communities.recompute(two_clusters)
    assert [r.title for r in rows(other)] == ["asyncio, PEP 3156, event loop"]
    assert community_names(other) == {0: set(ASYNC)}


def test_a_burst_of_schedule_calls_is_one_job_per_kb(migrated):
    first, second = kb(), kb()
    ids = {communities.schedule(first) for _ in range(5)}
    ids.add(communities.schedule(second))
    registry = get_container().jobs.queues["graph"].scheduled_job_registry  # type: ignore[attr-defined]
    scheduled = registry.get_job_ids()
    assert len(ids) == 2 and sorted(scheduled) == sorted(ids)


def test_the_scheduled_job_runs_the_recompute_on_the_graph_queue(two_clusters):
    communities.schedule(two_clusters, delay_seconds=1)
    deadline = time.monotonic() + 20
    while not rows(two_clusters) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [r.size for r in rows(two_clusters)] == [4, 4]


def test_a_kb_extracting_with_a_model_gets_model_summaries(migrated, monkeypatch):
    monkeypatch.setenv("LUMIKB_ENV", "test")
    from lumikb_app.container import reset_container

    reset_container()
    kb_id = kb("llm")
    graph = get_container().graph
    graph.replace_document(kb_id, "doc-typing", cluster("doc-typing", TYPING))
    with no_default_chat_model():
        communities.recompute(kb_id)
        assert rows(kb_id)[0].summary.startswith("4 entities around")  # no model: extractive
        register(ModelKind.extraction, "fake/instant", name="Extractor", default=True)
        communities.recompute(kb_id)
    assert rows(kb_id)[0].summary == "A community about PEP 484, TypeVar, typing."


def test_the_model_writes_at_most_twenty_summaries_and_a_failure_keeps_the_extractive_one(
    migrated,
):
    kb_id = kb("llm")
    pairs = DocumentGraph()
    for n in range(25):  # 25 communities of two
        a, b = f"alpha {n}", f"beta {n}"
        pairs.entities += [EntityDraft(a, a.title()), EntityDraft(b, b.title())]
        pairs.mentions += [MentionDraft(a, "c", 0, 1), MentionDraft(b, "c", 2, 3)]
        pairs.relations.append(RelationDraft(a, b, "RELATED_TO", "c", f"{a} meets {b}."))
    get_container().graph.replace_document(kb_id, "pairs", pairs)
    model = ScriptedModel(LlmError("down"), *(["  A pair\n of\x00 names.  "] * 30))
    answer_with(model)  # the registry's default chat model: what extracts without another
    assert communities.recompute(kb_id) == 25
    assert len(model.calls) == MAX_MODEL_SUMMARIES
    summaries = [r.summary for r in rows(kb_id)]
    assert summaries[0].startswith("2 entities around")  # the model failed: extractive
    assert summaries[1:20] == ["A pair of names."] * 19
    assert all(s.startswith("2 entities around") for s in summaries[20:])
