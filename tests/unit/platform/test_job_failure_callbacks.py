"""What RQ's failure callbacks tell the document's owner: a retry while attempts are left, then
the last reason and what to do."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workers import tasks


@pytest.mark.parametrize(
    ("callback", "stage", "failed"),
    [
        (tasks.on_ingest_failure, tasks.ingest, "Processing failed"),
        (tasks.on_graph_failure, tasks.extraction, "Building the graph failed"),
    ],
)
def test_a_retry_is_noted_until_the_last_attempt_fails_the_stage(
    monkeypatch, callback, stage, failed
):
    said: list[tuple[str, str, str]] = []
    monkeypatch.setattr(stage, "note_retry", lambda d, reason: said.append(("retry", d, reason)))
    monkeypatch.setattr(stage, "mark_failed", lambda d, reason: said.append(("failed", d, reason)))
    callback(
        SimpleNamespace(args=["doc-1"], retries_left=1), None, ValueError, ValueError("bad"), None
    )
    callback(SimpleNamespace(args=["doc-1"], retries_left=0), None, TimeoutError, None, None)
    assert said == [
        ("retry", "doc-1", "ValueError: bad"),
        (
            "failed",
            "doc-1",
            f"{failed} after several attempts (TimeoutError). Use Retry to try again.",
        ),
    ]
