"""Relational database port: sync sessions, used on worker threads by the app, workers and CLI."""

from contextlib import AbstractContextManager
from typing import Protocol

from sqlmodel import Session


class Database(Protocol):
    embedded: bool
    url: str

    def session(self) -> AbstractContextManager[Session]: ...

    def health(self) -> None: ...

    def close(self) -> None: ...
