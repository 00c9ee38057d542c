"""Turn one DATABASE_URL into the driver URL SQLAlchemy needs."""

from sqlalchemy.engine import make_url


def driver_url(url: str) -> str:
    """The sync driver URL: psycopg for PostgreSQL, the standard sqlite3 module for SQLite."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in {"postgresql", "postgres"}:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database: {backend}")
