"""The unit of work of every use case (the rule is in `lumikb_app.services`'s docstring).

`transaction()` commits on success and rolls back on any error; `read_session()` is for reads.
Both count themselves per thread, so a test can prove that no network call (S3, Qdrant, a
model) runs while one is open on the calling thread.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from lumikb_app.container import get_container

_open = threading.local()


def open_units() -> int:
    """How many transactions or read sessions the calling thread holds open."""
    return getattr(_open, "count", 0)


@contextmanager
def _counted() -> Iterator[None]:
    _open.count = open_units() + 1
    try:
        yield
    finally:
        _open.count -= 1


@contextmanager
def transaction() -> Iterator[Session]:
    with _counted(), get_container().db.session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session() -> Iterator[Session]:
    with _counted(), get_container().db.session() as session:
        yield session
