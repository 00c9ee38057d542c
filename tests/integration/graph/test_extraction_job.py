"""The graph stage on the embedded backends: real documents, the real no-model extractor, the
SQL graph store, the in-process RQ worker."""

from __future__ import annotations

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import GraphChunkResult, User
from lumikb_app.domain.graph import ChunkExtraction, GraphStage
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.documents import documents
from lumikb_app.services.graph import extraction
from lumikb_app.services.graph.term_extractor import TermExtractor
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.retrieval import search
from tests.conftest import CORPORA
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    upload_path,
    wait_for,
    wait_until_settled,
)
from tests.integration.graph.graph_jobs import chunk_texts, member, settled_stage, stage

PEPS = CORPORA / "peps"


@pytest.fixture
def graph_kb(migrated):
    owner = member("owner@example.com")
    kb = kbs.create_kb(owner, "Graph", settings=KbSettings(graph_mode="fast"))
    return owner, kb.id


def _graph_ready(document_id: str) -> None:
    row = settled_stage(document_id)
    assert row.state == GraphStage.ready, row.error


def _ingest(owner: User, kb_id: str, *names: str) -> list[str]:
    ids = [upload_path(owner, kb_id, PEPS / name).document_id for name in names]
    docs = wait_until_settled(ids)
    assert all(d.status == "ready" for d in docs.values())
    for document_id in ids:
        _graph_ready(document_id)
    return ids


def test_a_ready_document_gets_its_graph_with_mentions_at_the_right_offsets(graph_kb):
    owner, kb_id = graph_kb
    (doc_id,) = _ingest(owner, kb_id, "pep-0484.rst")
    row = stage(doc_id)
    assert row.chunks_done == row.chunks_total > 0 and row.progress == 1.0
    graph = get_container().graph
    (pep,) = graph.entities_by_keys([kb_id], ["pep 484"])
    texts = chunk_texts(doc_id)
    mentions = graph.mentions_in_chunks([kb_id], list(texts))
    assert mentions
    references = [r for r in graph.relations_of([kb_id], pep.id) if r.type == "REFERENCES"]
    assert references and all(r.document_id == doc_id and r.evidence for r in references)
    for mention in mentions[:200]:
        surface = texts[mention.chunk_id][mention.char_start : mention.char_end]
        assert surface.strip() and mention.char_end > mention.char_start
    assert graph.stats(kb_id).relations > 0


def test_a_kb_with_the_graph_off_gets_no_graph_stage(migrated):
    owner = member("off@example.com")
    kb_id = kbs.create_kb(owner, "No graph").id
    outcome = upload_path(owner, kb_id, PEPS / "pep-0020.rst")
    wait_until_settled([outcome.document_id])
    assert stage(outcome.document_id) is None
    assert get_container().graph.stats(kb_id).entities == 0


def test_a_new_version_replaces_exactly_the_old_versions_mentions(graph_kb):
    owner, kb_id = graph_kb
    text = (PEPS / "pep-0020.rst").read_bytes()
    first = upload_bytes(owner, kb_id, "zen.rst", text + b"\n\nSee PEP 8 and asyncio.\n")
    wait_until_settled([first.document_id])
    _graph_ready(first.document_id)
    graph = get_container().graph
    assert graph.entities_by_keys([kb_id], ["pep 8"])
    second = upload_bytes(owner, kb_id, "zen.rst", text + b"\n\nSee PEP 484 instead.\n")
    wait_until_settled([second.document_id])
    _graph_ready(second.document_id)
    old_chunks = list(chunk_texts(first.document_id))
    wait_for(
        lambda: not graph.mentions_in_chunks([kb_id], old_chunks),
        what="the old version's mentions to go",
    )
    assert graph.entities_by_keys([kb_id], ["pep 484"])
    assert not graph.entities_by_keys([kb_id], ["pep 8"])  # only the old version named it


def test_deleting_a_document_removes_its_mentions_and_the_entities_left_with_none(graph_kb):
    owner, kb_id = graph_kb
    keep, gone = _ingest(owner, kb_id, "pep-0526.rst", "pep-0572.rst")
    graph = get_container().graph
    gone_chunks = list(chunk_texts(gone))
    only_gone = {
        e.key for e in graph.entities_by_keys([kb_id], ["pep 572", "assignment expression"])
    }
    assert only_gone and graph.mentions_in_chunks([kb_id], gone_chunks)
    kept_before = graph.mentions_in_chunks([kb_id], list(chunk_texts(keep)))
    documents.delete_document(owner, gone)
    wait_for(lambda: not graph.mentions_in_chunks([kb_id], gone_chunks), what="its mentions to go")
    kept_after = graph.mentions_in_chunks([kb_id], list(chunk_texts(keep)))
    assert sorted(m.id for m in kept_after) == sorted(m.id for m in kept_before)
    left = graph.get_entities([kb_id], list({m.entity_id for m in kept_after}))
    assert len(left) == len({m.entity_id for m in kept_after})  # what the kept one names stays
    assert graph.get_entities([kb_id], list(only_gone)) == []
    assert graph.stats(kb_id).mentions == len(kept_after)


class _Counting:
    """The real extractor, counting the chunks it reads; it can fail after some batches."""

    def __init__(self, fail_after_batches: int | None = None) -> None:
        self.inner, self.read, self.batches = TermExtractor(), 0, 0
        self.fail_after = fail_after_batches
        self.name, self.mode, self.batch_size = "counting", "fast", 8

    def extract(self, chunks):
        if self.fail_after is not None and self.batches >= self.fail_after:
            raise RuntimeError("the worker died")
        self.batches += 1
        self.read += len(chunks)
        return self.inner.extract(chunks)


def test_a_stage_that_died_mid_way_resumes_after_its_finished_chunks_without_duplicates(
    graph_kb, monkeypatch
):
    owner, kb_id = graph_kb
    monkeypatch.setattr(extraction, "_enqueue", lambda document_id: None)  # run by hand below
    outcome = upload_path(owner, kb_id, PEPS / "pep-0484.rst")
    wait_until_settled([outcome.document_id])
    doc_id = outcome.document_id
    total = len(chunk_texts(doc_id))
    assert total > 16
    dying = _Counting(fail_after_batches=2)
    monkeypatch.setattr(extraction, "extractor_for", lambda mode: dying)
    with pytest.raises(RuntimeError):
        extraction.run(doc_id)
    assert stage(doc_id).state == GraphStage.extracting and stage(doc_id).chunks_done == 16
    resumed = _Counting()
    monkeypatch.setattr(extraction, "extractor_for", lambda mode: resumed)
    extraction.run(doc_id)
    assert resumed.read == total - 16
    assert stage(doc_id).state == GraphStage.ready
    graph = get_container().graph
    mentions = graph.mentions_in_chunks([kb_id], list(chunk_texts(doc_id)))
    extraction.run(doc_id)  # once more: the same rows, nothing doubled
    again = graph.mentions_in_chunks([kb_id], list(chunk_texts(doc_id)))
    assert sorted(m.id for m in again) == sorted(m.id for m in mentions)
    assert len({m.id for m in again}) == len(again)
    with get_container().db.session() as session:
        results = session.exec(
            select(GraphChunkResult).where(GraphChunkResult.document_id == doc_id)
        ).all()
    assert len(results) == total


def test_graph_search_finds_only_what_the_user_may_read_and_says_why(graph_kb):
    owner, kb_id = graph_kb
    _ingest(owner, kb_id, "pep-0484.rst", "pep-0526.rst")
    found = search.search(owner, "What does PEP 526 add to PEP 484?", graph=True)
    assert found.passages and any(p.via for p in found.passages)
    without = search.search(owner, "What does PEP 526 add to PEP 484?", graph=False)
    assert not any(p.via for p in without.passages)
    stranger = member("stranger@example.com")
    nothing = search.search(stranger, "What does PEP 526 add to PEP 484?", graph=True)
    assert nothing.passages == []
    other_kb = kbs.create_kb(stranger, "Theirs", settings=KbSettings(graph_mode="fast")).id
    mine = search.search(stranger, "PEP 484 type hints", kb_ids=[kb_id, other_kb], graph=True)
    assert all(p.kb_id == other_kb for p in mine.passages)


class _DeadModel:
    name, mode, batch_size = "dead", "llm", 4

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, chunks):
        self.calls += 1
        return [ChunkExtraction(c.chunk_id, error="LlmError: connection refused") for c in chunks]


def test_a_dead_model_fails_the_stage_soon_and_a_retry_reads_the_skipped_chunks(
    graph_kb, monkeypatch
):
    owner, kb_id = graph_kb
    monkeypatch.setattr(extraction, "_enqueue", lambda document_id: None)
    outcome = upload_path(owner, kb_id, PEPS / "pep-0484.rst")
    wait_until_settled([outcome.document_id])
    doc_id = outcome.document_id
    dead = _DeadModel()
    monkeypatch.setattr(extraction, "extractor_for", lambda mode: dead)
    extraction.run(doc_id)
    row = stage(doc_id)
    assert dead.calls == extraction.STALLED_BATCHES
    assert row.state == GraphStage.failed and "connection refused" in row.error
    assert extraction.retry_document(owner, doc_id)
    working = _Counting()
    monkeypatch.setattr(extraction, "extractor_for", lambda mode: working)
    extraction.run(doc_id)
    assert working.read == len(chunk_texts(doc_id))  # the skipped chunks are read again
    assert stage(doc_id).state == GraphStage.ready
