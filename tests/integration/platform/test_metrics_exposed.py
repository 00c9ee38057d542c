"""`GET /metrics` on an embedded deployment shows what happened: after documents are ingested
and a search runs, the ingestion and search stage histograms have counts, and a job waiting in
the queue shows in the queue depth gauge."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.services.retrieval import search
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    wait_until_settled,
    writer_and_kb,
)

pytestmark = pytest.mark.integration

GUIDE = b"# Backups\n\nThe nightly backup copies the database and the vector store to the NAS.\n"


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _scrape() -> str:
    from lumikb_app.api.app import create_api

    with TestClient(create_api(), client=("127.0.0.1", 40000)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    return response.text


def _by_stage(text: str, name: str) -> dict[str, float]:
    return {dict(labels)["stage"]: value for labels, value in _samples(text, name).items()}


def test_stage_histograms_and_queue_depth_after_ingest_and_search(migrated, monkeypatch):
    monkeypatch.setenv("LUMIKB_ENV", "test")
    reset_container()
    embedder = FakeEmbedder()
    monkeypatch.setattr(get_container(), "embedder_for", lambda model: embedder)
    before = _scrape()
    user, kb_id = writer_and_kb()
    docs = [
        upload_bytes(user, kb_id, f"guide-{n}.md", GUIDE + f"Site {n}.\n".encode()).document_id
        for n in range(2)
    ]
    assert {d.status for d in wait_until_settled(docs).values()} == {"ready"}
    assert search.search(user, "nightly backup").passages

    get_container().jobs.schedule(3600, "workers.tasks.reconcile_all", job_id="metrics-test")
    after = _scrape()

    ingest_before = _by_stage(before, "lumikb_ingest_stage_seconds_count")
    ingest_after = _by_stage(after, "lumikb_ingest_stage_seconds_count")
    for stage in ("parse", "chunk", "embed", "index"):
        assert ingest_after[stage] >= ingest_before.get(stage, 0) + 2, stage
    search_before = _by_stage(before, "lumikb_search_stage_seconds_count")
    search_after = _by_stage(after, "lumikb_search_stage_seconds_count")
    assert search_after["total"] == search_before.get("total", 0) + 1
    depth = {
        (dict(labels)["queue"], dict(labels)["registry"]): value
        for labels, value in _samples(after, "lumikb_queue_depth").items()
    }
    assert depth[("default", "scheduled")] >= 1
    assert depth[("ingest", "queued")] == 0 and depth[("ingest", "failed")] == 0
