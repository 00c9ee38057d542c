"""Migration 0007 on SQLite and PostgreSQL: existing version chains (one name in one KB) become
one document whose id is the chain's first version's; downgrading purges superseded versions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lumikb_app.db.migrate import downgrade, upgrade
from tests.integration.documents.migration_tables import (
    CHUNKS,
    DOCUMENTS,
    KBS,
    NOW,
    OUTBOX,
    engine_at,
)

pytestmark = pytest.mark.integration

REVISION, BEFORE = "0007", "0006"


def _kb(kb_id: str) -> dict:
    return {
        "id": kb_id, "name": kb_id, "description": "", "index_version": 1, "settings": {},
        "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _doc(doc_id: str, kb_id: str, name: str, version: int, status: str = "ready") -> dict:
    return {
        "id": doc_id, "kb_id": kb_id, "name": name, "mime_type": "text/markdown", "size_bytes": 1,
        "sha256": doc_id, "version": version, "status": status, "stage_detail": "",
        "progress": 1.0, "chunk_count": 0, "attempts": 1, "steps_done": [],
        "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


@pytest.fixture
def engine(database_url):
    yield from engine_at(database_url, BEFORE)


def _stable_ids(engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(DOCUMENTS.c.id, DOCUMENTS.c.stable_id)).all()
    return dict(rows)


def test_each_chain_of_versions_becomes_one_document_named_by_its_first_version(
    engine, database_url
):
    with engine.begin() as connection:
        connection.execute(sa.insert(KBS), [_kb("kb-1"), _kb("kb-2")])
        connection.execute(
            sa.insert(DOCUMENTS),
            [
                _doc("notes-v3", "kb-1", "notes.md", 3),
                _doc("notes-v2", "kb-1", "notes.md", 2, status="deleting"),
                _doc("plan-v1", "kb-1", "plan.md", 1),
                _doc("notes-elsewhere", "kb-2", "notes.md", 1),
            ],
        )
        connection.execute(  # the documents table is rebuilt on SQLite: its chunks stay
            sa.insert(CHUNKS),
            [
                {
                    "id": "c1", "document_id": "notes-v3", "kb_id": "kb-1", "version": 3,
                    "ordinal": 0, "text": "t", "char_start": 0, "char_end": 1, "token_count": 1,
                    "heading_path": [],
                }
            ],
        )  # fmt: skip
    upgrade(database_url, REVISION)
    assert _stable_ids(engine) == {
        "notes-v3": "notes-v2",  # version 1 was purged long ago: version 2 is the chain's first
        "notes-v2": "notes-v2",
        "plan-v1": "plan-v1",
        "notes-elsewhere": "notes-elsewhere",  # the same name in another KB is another document
    }
    with engine.connect() as connection:
        assert connection.execute(sa.select(CHUNKS.c.document_id)).scalars().all() == ["notes-v3"]


def test_downgrading_purges_superseded_versions_through_the_outbox(engine, database_url):
    upgrade(database_url, REVISION)
    with engine.begin() as connection:
        connection.execute(sa.insert(KBS), [_kb("kb-1")])
        connection.execute(
            sa.insert(DOCUMENTS),
            [
                {**_doc("v1", "kb-1", "notes.md", 1, status="superseded"), "stable_id": "v1"},
                {**_doc("v2", "kb-1", "notes.md", 2), "stable_id": "v1"},
            ],
        )
    downgrade(database_url, BEFORE)
    with engine.connect() as connection:
        statuses = dict(connection.execute(sa.select(DOCUMENTS.c.id, DOCUMENTS.c.status)).all())
        events = connection.execute(sa.select(OUTBOX.c.kind, OUTBOX.c.payload)).all()
    assert statuses == {"v1": "deleting", "v2": "ready"}
    assert [(kind, payload["document_id"]) for kind, payload in events] == [
        ("purge_document", "v1")
    ]
