"""Start-up check: a configuration that runs several processes needs every store to be a server.

With REDIS_URL set, Reflex starts several web processes that share UI state through Redis, and
jobs run in separate `python -m workers.main` processes (in compose, in other containers). A
store kept under DATA_DIR belongs to one process, so each is refused with REDIS_URL:

- vectors (no QDRANT_HOST): the edge shard takes a lock; a second process cannot open it;
- database (SQLite, no DATABASE_URL): concurrent writers from several processes get "database
  is locked", and a worker in another container or machine sees another file altogether;
- blobs (no MINIO_ENDPOINT): a worker in another container or machine cannot read the files the
  web process stored, so ingestion would fail on every upload.

The graph needs nothing of its own: without NEO4J_URI it lives in the (then PostgreSQL) database.
The web app (rxconfig.py, before Reflex starts its workers, and the lifespan) and the worker
(workers/main.py) both stop with the same one message, so nothing crash-loops.
"""

from __future__ import annotations

from lumikb_app.settings import Settings

# What each embedded store needs set to become a server, and where it keeps its data otherwise.
_SERVER_SETTINGS = {
    "vectors": (
        "QDRANT_HOST",
        "a Qdrant server; the embedded vector store is locked by one process",
    ),
    "database": ("DATABASE_URL", "postgresql://...; the SQLite file under DATA_DIR"),
    "blobs": (
        "MINIO_ENDPOINT, MINIO_ACCESS_KEY and MINIO_SECRET_KEY",
        "S3 or MinIO; the local blob folder under DATA_DIR",
    ),
}


class UnworkableDeployment(SystemExit):
    """Raised at start-up (exit status 2) with the one message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


def multiprocess_problem(settings: Settings) -> str | None:
    """The message refusing this configuration, or None when it can run."""
    if settings.REDIS_URL is None:
        return None  # embedded mode: one process, whatever the stores
    embedded = settings.embedded_services
    missing = [name for name in _SERVER_SETTINGS if embedded[name]]
    if not missing:
        return None
    lines = [f"  {_SERVER_SETTINGS[name][0]}: {_SERVER_SETTINGS[name][1]}" for name in missing]
    return (
        "LumiKB cannot start: REDIS_URL is set, which runs several processes (Reflex web "
        "workers and separate `python -m workers.main` job workers), but these stores live "
        "inside one process. Set:\n"
        + "\n".join(lines)
        + "\nor unset REDIS_URL to run everything embedded in one process."
    )


def refuse_unworkable(settings: Settings) -> None:
    """Stop start-up with the message when several processes cannot share these stores."""
    problem = multiprocess_problem(settings)
    if problem is not None:
        raise UnworkableDeployment(problem)
