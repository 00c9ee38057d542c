"""SQLite (embedded) or PostgreSQL (server) through SQLAlchemy's sync engine, pooled.

There is no async engine: every async Reflex handler and API route hands blocking work to a
thread (asyncio.to_thread), and the services use SQLModel's sync Session there.

PostgreSQL going away fails requests (503, see services/platform/unavailable.py) but never
the pool: every connection is pinged before use, so once the server is back the next request
reconnects without a restart; a server that does not answer gives up after CONNECT_TIMEOUT.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlmodel import Session, create_engine

from lumikb_app.db.urls import driver_url

CONNECT_TIMEOUT_SECONDS = 3  # libpq's minimum is 2


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class SqlDatabase:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        sync_url = driver_url(url)
        self.embedded = sync_url.startswith("sqlite")
        if self.embedded:
            database = make_url(sync_url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(sync_url, connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            pool = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
            connect = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
            self.engine = create_engine(sync_url, connect_args=connect, **pool)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def health(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()
