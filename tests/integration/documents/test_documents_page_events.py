"""The documents page's detail panel and bulk actions as a browser sends them (the Reflex handlers
called directly, past the event guard, with each person's session cookie): a READ member may
open a panel but cannot delete or retry in bulk (nothing changes), an outsider gets nothing of a
document, and a writer's bulk actions say how many succeeded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth, grants
from lumikb_app.services.documents import documents, outbox
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.services.platform.transactions import transaction
from lumikb_app.state.documents.documents import DocumentsState
from tests.reflex_states import signed_in_state

pytestmark = pytest.mark.integration
PASSWORD = "a long enough secret"


@dataclass(frozen=True)
class World:
    writer: User
    reader: User
    stranger: User
    kb_id: str


@pytest.fixture
def world(migrated, monkeypatch) -> World:
    monkeypatch.setattr(documents, "enqueue_ingest", lambda document_id: None)
    monkeypatch.setattr(outbox, "dispatch", lambda events: None)
    with transaction() as session:
        writer, reader, stranger = [
            auth.create_user(session, email=f"{n}@x.io", display_name=n.title(), password=PASSWORD)
            for n in ("writer", "reader", "stranger")
        ]
    kb_id = kbs.create_kb(writer, "Runbooks").id
    grants.set_grant(writer, kb_id, reader.email, KbRole.READ)
    return World(writer, reader, stranger, kb_id)


def _upload(world: World, name: str, status: str = "queued") -> str:
    spool = documents.new_spool(name)
    spool.write(f"# {name}\n\nSteps for {name}.\n".encode())
    document_id = documents.accept_upload(world.writer, world.kb_id, spool).stored_id
    with get_container().db.session() as session:
        doc = session.get_one(Document, document_id)
        doc.status, doc.error = status, ("It broke." if status == "failed" else None)
        session.add(doc)
        session.commit()
    return document_id


def _statuses(kb_id: str) -> dict[str, str]:
    with get_container().db.session() as session:
        rows = session.exec(select(Document).where(Document.kb_id == kb_id)).all()
    return {d.name: d.status for d in rows}


async def _page(user: User, kb_id: str) -> DocumentsState:
    token = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    root = signed_in_state(DocumentsState.get_root_state(), token, f"/kb/{kb_id}", kb_id=kb_id)
    page = root.get_substate(DocumentsState.get_full_name().split("."))
    await DocumentsState.load_documents.fn(page)
    return page


async def test_a_reader_opens_the_panel_but_cannot_delete_or_retry_in_bulk(world):
    failed = _upload(world, "restart.md", "failed")
    reader = await _page(world.reader, world.kb_id)

    await DocumentsState.open_details.fn(reader, failed)
    assert reader.detail_open and reader.detail.name == "restart.md"
    assert [v.version for v in reader.detail_versions] == ["v1"]
    assert any(h.what == "Failed: It broke." for h in reader.detail_history)

    await DocumentsState.confirm_bulk_delete.fn(reader, [failed])
    assert reader.bulk_failed and reader.bulk_message != ""
    await DocumentsState.retry_selected.fn(reader, [failed])
    assert reader.bulk_failed
    assert _statuses(world.kb_id) == {"restart.md": "failed"}


async def test_an_outsider_gets_nothing_of_a_document(world):
    doc = _upload(world, "secret.md", "ready")
    stranger = await _page(world.stranger, world.kb_id)
    await DocumentsState.open_details.fn(stranger, doc)
    assert not stranger.detail_open and stranger.detail.name == ""
    assert stranger.detail_versions == [] and stranger.detail_history == []


async def test_a_writer_selects_retries_and_deletes_in_bulk(world):
    failed = _upload(world, "failed.md", "failed")
    ready = [_upload(world, f"{n}.md", "ready") for n in ("one", "two")]
    writer = await _page(world.writer, world.kb_id)

    DocumentsState.select_all.fn(writer, True)
    assert sorted(writer.shown_selected_ids) == sorted([failed, *ready])
    assert writer.selected_failed_ids == [failed] and writer.all_selected
    DocumentsState.toggle_selected.fn(writer, "not-a-shown-row", True)
    assert len(writer.shown_selected_ids) == 3  # only shown rows can be ticked

    await DocumentsState.retry_selected.fn(writer, writer.selected_failed_ids)
    assert writer.bulk_message == "1 document queued again." and not writer.bulk_failed
    assert writer.selected_ids == []

    await DocumentsState.confirm_bulk_delete.fn(writer, ready)
    assert writer.bulk_message == "2 documents deleted."
    assert [row.name for row in writer.documents] == ["failed.md"]
    assert _statuses(world.kb_id) == {
        "failed.md": "queued",
        "one.md": "deleting",
        "two.md": "deleting",
    }
