"""A document that takes too long to read fails with a reason once PARSE_TIMEOUT_SECONDS pass,
and while it is being read another KB's document is processed (embedded mode's job threads)."""

from __future__ import annotations

import pytest

from lumikb_app.container import reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.services.knowledge_bases import kbs
from tests.integration.documents.ingest_helpers import (
    upload_bytes,
    wait_for,
    wait_until_settled,
    writer_and_kb,
)
from tests.integration.documents.test_delete_during_ingest import _status

pytestmark = pytest.mark.integration
LIMIT = 5


@pytest.fixture
def short_limit(data_dir, monkeypatch):
    monkeypatch.setenv("PARSE_TIMEOUT_SECONDS", str(LIMIT))
    reset_container()
    upgrade()


def _slow_rst(megabytes: int = 40) -> bytes:
    """Plain reStructuredText docutils needs about 3 s per 10 MB for: well past LIMIT."""
    paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 5
    sections = megabytes * 1_000_000 // (len(paragraph) * 10)
    body = "".join(f"S{i}\n------\n\n" + f"{paragraph}\n\n" * 10 for i in range(sections))
    return ("Title\n=====\n\n" + body).encode()


def test_a_slow_document_fails_with_a_reason_and_holds_no_other_kb_back(short_limit):
    user, kb_id = writer_and_kb()
    warm = upload_bytes(user, kb_id, "warm.md", b"# Warm\n\nLoads the embedder first.\n")
    assert wait_until_settled([warm.stored_id])[warm.stored_id].status == "ready"
    slow = upload_bytes(user, kb_id, "slow.rst", _slow_rst()).stored_id
    wait_for(lambda: _status(slow)[0] == "parsing", 60, "the slow document to be read")

    other_kb = kbs.create_kb(user, "Another team").id
    quick = upload_bytes(user, other_kb, "note.md", b"# Note\n\nA short note.\n").stored_id
    assert wait_until_settled([quick])[quick].status == "ready"
    assert _status(slow)[0] == "parsing"  # still being read: the note did not wait for it

    failed = wait_until_settled([slow], timeout=120)[slow]
    assert failed.status == "failed"
    assert failed.error.startswith(f"The document took longer than {LIMIT} s to read")
