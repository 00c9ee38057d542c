"""Turn one DATABASE_URL into the sync and async driver URLs SQLAlchemy needs."""

from sqlalchemy.engine import make_url


def driver_urls(url: str) -> tuple[str, str]:
    """Return (sync_url, async_url): psycopg/asyncpg for PostgreSQL, sqlite/aiosqlite for SQLite."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in {"postgresql", "postgres"}:
        base = parsed.set(drivername="postgresql")
        return (
            base.set(drivername="postgresql+psycopg").render_as_string(hide_password=False),
            base.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False),
        )
    if backend == "sqlite":
        return (
            parsed.set(drivername="sqlite").render_as_string(hide_password=False),
            parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False),
        )
    raise ValueError(f"unsupported database: {backend}")
