"""Alembic environment: migrates the database named by LumiKB's settings."""

from logging.config import fileConfig

from sqlmodel import SQLModel

import lumikb_app.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from lumikb_app.adapters.sql_database import SqlDatabase
from lumikb_app.db.urls import driver_url
from lumikb_app.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _app_url() -> str:
    return config.attributes.get("url") or get_settings().database_url


def _url() -> str:
    return driver_url(_app_url())


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    database = SqlDatabase(_app_url(), pool_size=1)
    engine = database.engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a batch migration rebuilds a table: rows referencing it must not stop it
            _foreign_keys(connection, on=False)
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            _foreign_keys(connection, on=True)
    engine.dispose()


def _foreign_keys(connection, *, on: bool) -> None:
    """SQLite ignores this pragma inside a transaction, so it runs and commits on its own."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
