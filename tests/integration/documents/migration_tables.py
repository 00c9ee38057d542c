"""Lightweight table handles for migration tests that write rows as they were before a revision
(the models move on; a migration test must not import them)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import sqlalchemy as sa

from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.db.migrate import upgrade

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KBS = sa.table(
    "knowledge_bases",
    *(sa.column(name) for name in ("id", "name", "description", "index_version")),
    sa.column("settings", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
DOCUMENTS = sa.table(
    "documents",
    *(sa.column(name) for name in ("id", "kb_id", "name", "mime_type", "size_bytes", "sha256")),
    *(sa.column(name) for name in ("version", "status", "stage_detail", "progress")),
    *(sa.column(name) for name in ("chunk_count", "attempts", "stable_id")),
    sa.column("steps_done", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
CHUNKS = sa.table(
    "chunks",
    *(sa.column(name) for name in ("id", "document_id", "kb_id", "version", "ordinal", "text")),
    *(sa.column(name) for name in ("char_start", "char_end", "token_count")),
    sa.column("heading_path", sa.JSON),
)
OUTBOX = sa.table("outbox", sa.column("kind"), sa.column("payload", sa.JSON))


def engine_at(database_url: str, revision: str) -> Iterator[sa.Engine]:
    """An engine on a database migrated up to `revision` (for a fixture to yield from)."""
    upgrade(database_url, revision)
    database = SqlDatabase(database_url, pool_size=1)
    yield database.engine
    database.close()
