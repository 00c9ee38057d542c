"""One database transaction per use case: commit on success, roll back on any error."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from lumikb_app.container import get_container


@contextmanager
def transaction() -> Iterator[Session]:
    with get_container().db.session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
