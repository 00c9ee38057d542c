"""Fixtures shared by every test layer: an isolated embedded deployment and fresh PostgreSQL databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from lumikb_app.container import reset_container
from lumikb_app.settings import Settings
from tests.layer_markers import refuse_wrong_layers

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The shared test corpora live beside the project (../shared/corpora), never inside it.
CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A clean embedded deployment: every setting at its default, data under a temp DATA_DIR."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    reset_container()
    yield tmp_path / "data"
    reset_container()


@pytest.fixture
def migrated(data_dir: Path) -> Path:
    from lumikb_app.db.migrate import upgrade

    upgrade()
    return data_dir


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the local server, dropped afterwards.

    The server must be running: this fails (never skips) when it is not.
    """
    name = f"lumikb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """An empty database of each kind LumiKB runs on: a SQLite file, then a fresh PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sub' / 'lumikb.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def database(database_url: str):
    """The migrated database of `database_url`, through the SQL adapter."""
    from lumikb_app.adapters.sql_database import SqlDatabase
    from lumikb_app.db.migrate import upgrade

    upgrade(database_url)
    db = SqlDatabase(database_url, pool_size=8)
    yield db
    db.close()


@pytest.hookimpl(tryfirst=True)  # before `-m unit` and the like deselect by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    refuse_wrong_layers(items, Path(__file__).parent)
