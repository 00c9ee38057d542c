"""The relational adapter talks to real SQLite and PostgreSQL through a pooled sync engine."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import select

from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.db.tables import User
from lumikb_app.db.urls import driver_url

pytestmark = pytest.mark.integration


def test_what_one_session_writes_another_on_another_thread_reads(database):
    with database.session() as session:
        session.add(User(email="ada@example.com", display_name="Ada"))
        session.commit()

    def read() -> list[str]:
        with database.session() as session:
            return list(session.exec(select(User.email)))

    with ThreadPoolExecutor(1) as pool:  # as an async handler does, with asyncio.to_thread
        assert pool.submit(read).result() == ["ada@example.com"]


def test_health_answers(database):
    database.health()


def test_concurrent_sessions_on_threads_share_the_pool(database):
    def one(i: int) -> int:
        with database.session() as session:
            return session.execute(text(f"SELECT {i}")).scalar_one()

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(one, range(20))) == list(range(20))


def test_embedded_flag_follows_the_url(tmp_path, pg_url):
    assert SqlDatabase(f"sqlite:///{tmp_path / 'x.sqlite3'}").embedded is True
    assert SqlDatabase(pg_url).embedded is False


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db/lumikb", "postgresql+psycopg://u:p@db/lumikb"),
        ("postgres://u@db/lumikb", "postgresql+psycopg://u@db/lumikb"),
        ("sqlite:////data/lumikb.sqlite3", "sqlite:////data/lumikb.sqlite3"),
    ],
)
def test_one_database_url_names_the_sync_driver(url, driver):
    assert driver_url(url) == driver
