"""The relational adapter talks to real SQLite and PostgreSQL, sync and async, pooled."""

import asyncio

import pytest
from sqlalchemy import text
from sqlmodel import select

from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.db.tables import User

pytestmark = pytest.mark.integration


def test_what_a_sync_session_writes_an_async_session_reads(database):
    with database.session() as session:
        session.add(User(email="ada@example.com", display_name="Ada"))
        session.commit()

    async def read():
        async with database.async_session() as session:
            result = await session.execute(select(User.email))
            return result.scalars().all()

    assert asyncio.run(read()) == ["ada@example.com"]


def test_health_answers_on_both_drivers(database):
    database.health()
    asyncio.run(database.async_health())


def test_concurrent_async_sessions_share_the_pool(database):
    async def one(i: int) -> int:
        async with database.async_session() as session:
            return (await session.execute(text(f"SELECT {i}"))).scalar_one()

    async def many():
        return await asyncio.gather(*(one(i) for i in range(20)))

    assert asyncio.run(many()) == list(range(20))


def test_embedded_flag_follows_the_url(tmp_path, pg_url):
    assert SqlDatabase(f"sqlite:///{tmp_path / 'x.sqlite3'}").embedded is True
    assert SqlDatabase(pg_url).embedded is False
