"""One contract for every vector index: qdrant-edge, qdrant-client local mode, and a server when QDRANT_HOST is set."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from lumikb_app.adapters.qdrant_edge import RRF_K, SCROLL_PAGE, EdgeStoreLocked, QdrantEdgeIndex
from lumikb_app.ports.vectors import VectorIndex, VectorPoint
from tests.conftest import PROJECT_ROOT
from tests.integration.retrieval.vector_targets import (
    CORPUS,
    DIM,
    VectorTarget,
    corpus_points,
    direction,
    point_id,
    position_of,
    target_kinds,
)

pytestmark = pytest.mark.integration

MODES = ["dense", "sparse", "hybrid"]
BULK = 1201
KB_A_IDS = {point_id(doc, o) for kb, doc, o, _ in CORPUS if kb == "kb-a"}
KB_B_IDS = {point_id(doc, o) for kb, doc, o, _ in CORPUS if kb == "kb-b"}
ETCD_A = point_id("doc-2", 0)  # the only kb-a chunk that mentions etcd
ETCD_B = point_id("doc-3", 0)


@pytest.fixture(params=target_kinds())
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorTarget]:
    target = VectorTarget(request.param, tmp_path)
    yield target
    target.cleanup()


@pytest.fixture
def index(target: VectorTarget) -> Iterator[VectorIndex]:
    index = target.open()
    yield index
    index.close()


@pytest.fixture
def loaded(index: VectorIndex, target: VectorTarget) -> str:
    index.ensure_collection(target.collection, DIM)
    index.upsert(target.collection, corpus_points())
    return target.collection


def ids(hits) -> list[str]:
    return [hit.id for hit in hits]


def test_ensure_collection_is_idempotent(index, target):
    index.ensure_collection(target.collection, DIM)
    index.ensure_collection(target.collection, DIM)
    index.upsert(target.collection, corpus_points())
    index.ensure_collection(target.collection, DIM)
    assert index.count(target.collection) == len(CORPUS)


def test_ensure_collection_refuses_another_dimension(index, loaded):
    with pytest.raises(ValueError, match="dimension|configuration"):
        index.ensure_collection(loaded, DIM * 2)


def test_upsert_then_count_by_kb_and_document(index, loaded):
    assert index.count(loaded) == 7
    assert index.count(loaded, kb_ids=["kb-a"]) == 5
    assert index.count(loaded, kb_ids=["kb-a", "kb-b"]) == 7
    assert index.count(loaded, kb_ids=[]) == 0
    assert index.count(loaded, document_id="doc-1") == 3
    assert index.count(loaded, kb_ids=["kb-a"], document_id="doc-2") == 2
    assert index.count(loaded, kb_ids=["kb-b"], document_id="doc-1") == 0


def test_upserting_the_same_ids_replaces_instead_of_duplicating(index, loaded):
    index.upsert(loaded, corpus_points(extra_payload={"version": 2}))
    assert index.count(loaded) == len(CORPUS)
    hits = index.search(loaded, kb_ids=["kb-a", "kb-b"], dense=direction(0), limit=10, mode="dense")
    assert len(hits) == len(CORPUS)
    assert {hit.payload["version"] for hit in hits} == {2}


@pytest.mark.parametrize("mode", MODES)
def test_search_never_returns_another_kbs_points(index, loaded, mode):
    # The query is closest to, and shares its rare words with, a kb-b chunk.
    query = {"dense": direction(position_of("doc-3", 0)), "text": "etcd backup kubernetes clusters"}
    hits_a = index.search(loaded, kb_ids=["kb-a"], limit=50, mode=mode, **query)
    hits_b = index.search(loaded, kb_ids=["kb-b"], limit=50, mode=mode, **query)
    assert hits_a and set(ids(hits_a)) <= KB_A_IDS
    assert {hit.payload["kb_id"] for hit in hits_a} == {"kb-a"}
    assert ids(hits_b)[0] == ETCD_B and set(ids(hits_b)) <= KB_B_IDS
    assert index.search(loaded, kb_ids=[], limit=50, mode=mode, **query) == []


def test_dense_search_ranks_the_nearest_vector_first(index, loaded):
    target = position_of("doc-1", 2)
    hits = index.search(
        loaded, kb_ids=["kb-a"], dense=direction(target, noise=0.2), limit=3, mode="dense"
    )
    assert ids(hits)[0] == point_id("doc-1", 2)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_sparse_search_ranks_the_rare_term_first(index, loaded):
    # "office" is in five chunks (three shorter than the etcd chunk), "etcd" in two: IDF must win.
    hits = index.search(loaded, kb_ids=["kb-a"], text="office etcd", limit=10, mode="sparse")
    assert ids(hits)[0] == ETCD_A
    assert len(hits) == 4  # only chunks sharing a term with the query
    # Stemming and case folding: "Descaled Coffee Machines" matches "coffee machine descaling".
    hits = index.search(loaded, kb_ids=["kb-a"], text="Descaled Coffee Machines", mode="sparse")
    assert ids(hits) == [point_id("doc-2", 1)]


def test_hybrid_returns_the_union_ranked_by_rrf(index, loaded):
    query = {"dense": direction(position_of("doc-1", 2)), "text": "etcd"}
    dense = ids(index.search(loaded, kb_ids=["kb-a"], limit=40, mode="dense", dense=query["dense"]))
    sparse = ids(index.search(loaded, kb_ids=["kb-a"], limit=40, mode="sparse", text=query["text"]))
    hybrid = index.search(loaded, kb_ids=["kb-a"], limit=10, mode="hybrid", **query)
    assert set(ids(hybrid)) == set(dense) | set(sparse)
    expected = {pid: 0.0 for pid in set(dense) | set(sparse)}
    for leg in (dense, sparse):
        for rank, pid in enumerate(leg):
            expected[pid] += 1.0 / (rank + RRF_K)
    for hit in hybrid:
        assert hit.score == pytest.approx(expected[hit.id], rel=1e-3)
    # The etcd chunk is in both legs, the holiday chunk only tops the dense one.
    assert ids(hybrid)[:2] == [ETCD_A, point_id("doc-1", 2)]


def test_delete_document_removes_it_from_dense_sparse_and_count(index, loaded):
    index.delete_document(loaded, "doc-2")
    assert index.count(loaded) == 5
    assert index.count(loaded, document_id="doc-2") == 0
    dense = index.search(
        loaded, kb_ids=["kb-a"], dense=direction(position_of("doc-2", 0)), mode="dense"
    )
    assert not {point_id("doc-2", 0), point_id("doc-2", 1)} & set(ids(dense))
    assert index.search(loaded, kb_ids=["kb-a"], text="etcd coffee", mode="sparse") == []
    hybrid = index.search(loaded, kb_ids=["kb-a"], dense=direction(3), text="etcd", mode="hybrid")
    assert ETCD_A not in ids(hybrid)
    assert ids(index.search(loaded, kb_ids=["kb-b"], text="etcd", mode="sparse")) == [ETCD_B]


def test_list_collections_names_the_created_ones_and_nothing_else(index, target):
    before = index.list_collections()
    if target.kind != "server":  # a shared server may hold other collections
        assert before == []
    created = {target.collection, target.another_collection("other")}
    assert not created & set(before)
    for name in created:
        index.ensure_collection(name, DIM)
    index.ensure_collection(target.collection, DIM)  # again: still listed once
    after = index.list_collections()
    assert len(after) == len(set(after))
    assert set(after) == set(before) | created
    index.close()
    reopened = target.open()  # listed from storage, not from what this instance opened
    try:
        assert set(reopened.list_collections()) == set(before) | created
    finally:
        reopened.close()


def test_document_ids_are_the_upserted_ones_by_kb(index, loaded):
    assert index.document_ids(loaded) == {"doc-1", "doc-2", "doc-3"}
    assert index.document_ids(loaded, kb_ids=["kb-a"]) == {"doc-1", "doc-2"}
    assert index.document_ids(loaded, kb_ids=["kb-b"]) == {"doc-3"}
    assert index.document_ids(loaded, kb_ids=["kb-a", "kb-b"]) == {"doc-1", "doc-2", "doc-3"}
    assert index.document_ids(loaded, kb_ids=["kb-z"]) == set()
    assert index.document_ids(loaded, kb_ids=[]) == set()


def test_document_ids_drop_a_deleted_document(index, loaded):
    index.delete_document(loaded, "doc-2")
    assert index.document_ids(loaded) == {"doc-1", "doc-3"}
    assert index.document_ids(loaded, kb_ids=["kb-a"]) == {"doc-1"}
    index.delete_document(loaded, "doc-1")
    index.delete_document(loaded, "doc-3")
    assert index.document_ids(loaded) == set()


def test_document_ids_page_through_more_than_one_scroll_page(index, target):
    assert BULK > SCROLL_PAGE
    # More points than one scroll page (1,000), one document each, so paging must continue.
    # (Kept near one page: qdrant-client local mode persists upserts slowly.)
    index.ensure_collection(target.collection, DIM)
    points = [
        VectorPoint(
            id=point_id(f"bulk-{n}", 0),
            dense=direction(n),
            text="bulk",
            payload={"kb_id": "kb-a" if n % 2 else "kb-b", "document_id": f"bulk-{n}"},
        )
        for n in range(BULK)
    ]
    index.upsert(target.collection, points)
    everything = {f"bulk-{n}" for n in range(BULK)}
    assert index.document_ids(target.collection) == everything
    assert index.document_ids(target.collection, kb_ids=["kb-a"]) == {
        f"bulk-{n}" for n in range(1, BULK, 2)
    }
    index.delete_document(target.collection, "bulk-7")
    assert index.document_ids(target.collection) == everything - {"bulk-7"}


def test_optimize_keeps_every_point_searchable(index, loaded):
    index.optimize(loaded)
    assert index.count(loaded) == len(CORPUS)
    hits = index.search(loaded, kb_ids=["kb-a"], dense=direction(4), text="coffee", limit=1)
    assert ids(hits) == [point_id("doc-2", 1)]


def test_data_persists_after_closing_and_reopening(index, loaded, target):
    index.close()
    reopened = target.open()
    try:
        assert reopened.count(loaded) == len(CORPUS)
        hits = reopened.search(loaded, kb_ids=["kb-a"], text="etcd", mode="sparse")
        assert ids(hits) == [ETCD_A]
        reopened.upsert(loaded, corpus_points())  # still writable without ensure_collection
        assert reopened.count(loaded) == len(CORPUS)
    finally:
        reopened.close()


def test_bad_input_is_refused(index, loaded):
    with pytest.raises(ValueError, match="dense"):
        index.search(loaded, kb_ids=["kb-a"], text="etcd", mode="dense")
    with pytest.raises(ValueError, match="text"):
        index.search(loaded, kb_ids=["kb-a"], dense=direction(0), mode="sparse")
    orphan = VectorPoint(
        id=point_id("doc-9", 0), dense=direction(0), text="x", payload={"kb_id": "kb-a"}
    )
    with pytest.raises(ValueError, match="document_id"):
        index.upsert(loaded, [orphan])
    index.health()


def test_edge_store_refuses_a_second_process(tmp_path):
    root = tmp_path / "vectors"
    first = QdrantEdgeIndex(root)
    first.ensure_collection("chunks", DIM)
    code = textwrap.dedent(
        f"""
        from lumikb_app.adapters.qdrant_edge import QdrantEdgeIndex, EdgeStoreLocked
        try:
            QdrantEdgeIndex({str(root)!r}).ensure_collection("chunks", {DIM})
        except EdgeStoreLocked as exc:
            print(exc)
            raise SystemExit(3)
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            timeout=120,
        )
        assert done.returncode == 3, done.stderr
        assert "already open in another process" in done.stdout
        assert "QDRANT_HOST" in done.stdout
        with pytest.raises(EdgeStoreLocked):  # a second owner in the same process is refused too
            QdrantEdgeIndex(root)
    finally:
        first.close()
    QdrantEdgeIndex(root).close()  # released on close


def test_edge_list_collections_ignores_stray_entries(tmp_path):
    root = tmp_path / "vectors"
    index = QdrantEdgeIndex(root)
    try:
        index.ensure_collection("chunks", DIM)
        (root / "half-made").mkdir()  # a directory without an engine config
        (root / "notes.txt").write_text("x")
        assert index.list_collections() == ["chunks"]
    finally:
        index.close()


def test_health_passes_while_open_and_fails_once_closed(target):
    index = target.open()
    index.ensure_collection(target.collection, DIM)
    index.upsert(target.collection, corpus_points())
    assert index.health() is None
    index.close()
    with pytest.raises(RuntimeError, match="closed"):
        index.health()


def test_closed_edge_store_refuses_work(tmp_path):
    index = QdrantEdgeIndex(tmp_path / "vectors")
    index.ensure_collection("chunks", DIM)
    index.close()
    index.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        index.count("chunks")
    with pytest.raises(RuntimeError, match="closed"):
        index.health()


def test_edge_ensure_collection_keeps_an_open_shard_usable(tmp_path):
    root = tmp_path / "vectors"
    writer = QdrantEdgeIndex(root)
    writer.ensure_collection("chunks", DIM)
    writer.upsert("chunks", corpus_points())
    writer.close()
    index = QdrantEdgeIndex(root)
    try:
        assert index.count("chunks") == len(CORPUS)  # opened lazily, as a search after restart does
        index.ensure_collection("chunks", DIM)  # as the next ingestion job does
        assert index.count("chunks") == len(CORPUS)
        with pytest.raises(ValueError, match="dimension"):
            index.ensure_collection("chunks", DIM + 1)
        assert index.count("chunks", kb_ids=["kb-b"]) == 2
    finally:
        index.close()
