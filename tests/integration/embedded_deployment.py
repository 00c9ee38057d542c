"""An embedded deployment for integration tests that run the whole app: every setting at its
default but DATA_DIR and the ones a test names, SQLite or a fresh PostgreSQL database, migrated,
and the fake embedder for every embedding model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.migrate import upgrade
from lumikb_app.settings import Settings
from tests.conftest import fresh_pg_database


@contextmanager
def embedded_deployment(
    database: str, data_dir: Path, **settings: str
) -> Iterator[pytest.MonkeyPatch]:
    """The deployment with `database` ('sqlite' or 'postgresql'); yields the environment's patch,
    undone (with the container reset) on the way out."""
    with ExitStack() as stack:
        env = stack.enter_context(pytest.MonkeyPatch.context())
        for name in Settings.model_fields:
            env.delenv(name, raising=False)
        env.setenv("DATA_DIR", str(data_dir))
        env.setenv("LUMIKB_ENV", "test")  # fake/ models run only in test mode
        for name, value in settings.items():
            env.setenv(name, value)
        if database == "postgresql":
            env.setenv("DATABASE_URL", stack.enter_context(fresh_pg_database()))
        reset_container()
        stack.callback(reset_container)
        upgrade()
        embedder = FakeEmbedder()
        env.setattr(get_container(), "embedder_for", lambda model: embedder)
        yield env
