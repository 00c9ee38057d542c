"""An answer holds no database connection while it streams: each read or write opens and closes
its own unit of work, so a slow model never ties up the pool (PostgreSQL, the real pool)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from lumikb_app.container import get_container
from lumikb_app.services.chat import chat, conversations
from tests.integration.retrieval.search_helpers import World, make_world

pytestmark = pytest.mark.integration

BACKUPS = (
    "# Backups\n\nBackups of the main database run every night at two in the morning. "
    "Each backup is kept for thirty days in the offsite vault. "
    "Restoring a backup takes about an hour and needs the on-call engineer."
)


@pytest.fixture(params=["postgresql"])
def world(request, data_dir, monkeypatch) -> World:
    return make_world(request, monkeypatch)


class ConnectionsByThread:
    """Connections checked out of the engine's pool and not yet returned, by thread."""

    def __init__(self, engine) -> None:
        self.out: dict[int, int] = {}  # id(connection record) -> thread
        event.listen(engine, "checkout", self._checkout)
        event.listen(engine, "checkin", self._checkin)

    def _checkout(self, _dbapi, record, _proxy) -> None:
        self.out[id(record)] = threading.get_ident()

    def _checkin(self, _dbapi, record) -> None:
        self.out.pop(id(record), None)

    def held_here(self) -> int:
        return sum(thread == threading.get_ident() for thread in self.out.values())


def test_no_connection_is_held_between_the_events_of_an_answer(world):
    world.ingest(world.kb_a, "backups.md", BACKUPS)
    conversation = conversations.create_conversation(world.reader)
    connections = ConnectionsByThread(get_container().db.engine)

    held = [
        (e.kind, connections.held_here())
        for e in chat.ask(world.reader, conversation.id, "When do database backups run?")
    ]

    assert sum(kind == "token" for kind, _ in held) > 10 and held[-1][0] == "done"
    assert {count for _, count in held} == {0}, held
