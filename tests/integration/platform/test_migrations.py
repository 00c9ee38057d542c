"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import lumikb_app.db.tables  # noqa: F401
from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.db.migrate import downgrade, upgrade

pytestmark = pytest.mark.integration

EXPECTED_TABLES = {
    "users",
    "user_sessions",
    "knowledge_bases",
    "kb_grants",
    "documents",
    "chunks",
    "outbox",
    "audit_events",
    "graph_entities",
    "graph_relations",
    "graph_mentions",
}


def test_upgrade_creates_every_table_and_matches_the_models(database_url):
    upgrade(database_url)
    database = SqlDatabase(database_url, pool_size=1)
    try:
        assert EXPECTED_TABLES <= set(inspect(database.engine).get_table_names())
        with database.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        database.close()


def test_downgrade_then_upgrade_round_trips(database_url):
    upgrade(database_url)
    downgrade(database_url)
    database = SqlDatabase(database_url, pool_size=1)
    try:
        assert not (EXPECTED_TABLES & set(inspect(database.engine).get_table_names()))
    finally:
        database.close()
    upgrade(database_url)
    upgrade(database_url)  # idempotent: nothing left to apply
