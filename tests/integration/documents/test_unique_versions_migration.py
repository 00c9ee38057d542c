"""Migration 0009 on SQLite and PostgreSQL: versions an earlier race doubled are renumbered
(the later row, and its chunks, take the next free number), then (KB, name, version) is unique."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lumikb_app.db.migrate import downgrade, upgrade
from tests.integration.documents.migration_tables import CHUNKS, DOCUMENTS, KBS, NOW, engine_at

pytestmark = pytest.mark.integration

REVISION, BEFORE = "0009", "0008"


def _doc(doc_id: str, name: str, version: int, minutes: int) -> dict:
    return {
        "id": doc_id, "kb_id": "kb-1", "name": name, "mime_type": "text/markdown",
        "size_bytes": 1, "sha256": doc_id, "version": version, "status": "ready",
        "stage_detail": "", "progress": 1.0, "chunk_count": 1, "attempts": 1, "stable_id": "a",
        "steps_done": [], "created_at": NOW + timedelta(minutes=minutes), "updated_at": NOW,
    }  # fmt: skip


def _chunk(doc_id: str, version: int) -> dict:
    return {
        "id": f"chunk-{doc_id}", "document_id": doc_id, "kb_id": "kb-1", "version": version,
        "ordinal": 0, "text": "x", "char_start": 0, "char_end": 1, "token_count": 1,
        "heading_path": [],
    }  # fmt: skip


@pytest.fixture
def engine(database_url):
    yield from engine_at(database_url, BEFORE)


def test_doubled_versions_are_renumbered_then_refused(engine, database_url):
    kb = {"id": "kb-1", "name": "kb", "description": "", "index_version": 1, "settings": {}}
    doubled = [_doc("first", "plan.md", 1, 0), _doc("twin-a", "plan.md", 2, 1)]
    doubled += [_doc("twin-b", "plan.md", 2, 2), _doc("twin-c", "plan.md", 2, 3)]
    with engine.begin() as connection:
        connection.execute(sa.insert(KBS), [{**kb, "created_at": NOW, "updated_at": NOW}])
        connection.execute(sa.insert(DOCUMENTS), [*doubled, _doc("other", "notes.md", 2, 4)])
        connection.execute(sa.insert(CHUNKS), [_chunk("twin-b", 2), _chunk("twin-c", 2)])

    upgrade(database_url, REVISION)

    with engine.connect() as connection:
        versions = dict(connection.execute(sa.select(DOCUMENTS.c.id, DOCUMENTS.c.version)).all())
        chunks = dict(connection.execute(sa.select(CHUNKS.c.document_id, CHUNKS.c.version)).all())
    assert versions == {"first": 1, "twin-a": 2, "twin-b": 3, "twin-c": 4, "other": 2}
    assert chunks == {"twin-b": 3, "twin-c": 4}
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.insert(DOCUMENTS), [_doc("late", "plan.md", 4, 5)])

    downgrade(database_url, BEFORE)
    with engine.begin() as connection:  # the constraint is gone again
        connection.execute(sa.insert(DOCUMENTS), [_doc("late", "plan.md", 4, 5)])
