"""Counting the SQL statements a call sends, to prove a listing takes one query, not one a row."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from lumikb_app.container import get_container


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """Statements this thread sends (the usage flusher's thread may write at any moment)."""
    engine = get_container().db.engine
    seen: list[str] = []
    caller = threading.get_ident()

    def count(conn, cursor, statement, *args) -> None:
        if threading.get_ident() == caller:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
