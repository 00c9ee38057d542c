"""Relational database port: sync sessions for workers and CLI, async sessions for the app."""

from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Session


class Database(Protocol):
    embedded: bool
    url: str

    def session(self) -> AbstractContextManager[Session]: ...

    def async_session(self) -> AbstractAsyncContextManager[AsyncSession]: ...

    def health(self) -> None: ...

    async def async_health(self) -> None: ...

    def close(self) -> None: ...
