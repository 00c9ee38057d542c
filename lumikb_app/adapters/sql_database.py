"""SQLite (embedded) or PostgreSQL (server) through SQLAlchemy, sync and async, pooled."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlmodel import Session, create_engine

from lumikb_app.db.urls import driver_urls


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqlDatabase:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        sync_url, async_url = driver_urls(url)
        self.embedded = sync_url.startswith("sqlite")
        if self.embedded:
            database = make_url(sync_url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(sync_url, connect_args={"check_same_thread": False})
            self.async_engine = create_async_engine(async_url)
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.async_engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            pool = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
            self.engine = create_engine(sync_url, **pool)
            self.async_engine = create_async_engine(async_url, **pool)
        self._async_sessions = async_sessionmaker(self.async_engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @asynccontextmanager
    async def async_session(self) -> AsyncIterator[AsyncSession]:
        async with self._async_sessions() as session:
            yield session

    def health(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    async def async_health(self) -> None:
        async with self.async_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()
