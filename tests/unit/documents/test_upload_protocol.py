"""The documents page's upload protocol, driven with fake chunk streams and a fake page.

The services under it are real (an embedded deployment with a 1 MB upload cap); only the
ingest job is not queued, so nothing runs after a file is stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, KbGrant, KnowledgeBase
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.documents import documents as document_service
from lumikb_app.state.documents import upload_protocol
from lumikb_app.state.documents.upload_protocol import (
    INTERRUPTED,
    NO_WRITE_ACCESS,
    NOT_RECEIVED,
    NOT_UPLOADED,
    SIGNED_OUT,
    UploadBoard,
    UploadRequest,
    UploadRow,
)

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
PIECE = 64 * 1024
MB = 1024 * 1024
BATCH = "lx1abc"


@dataclass(frozen=True)
class FakeChunk:
    filename: str
    offset: int
    data: bytes


def pieces(name: str, data: bytes) -> list[FakeChunk]:
    """A file as Reflex streams it; an empty file is one empty chunk."""
    return [FakeChunk(name, o, data[o : o + PIECE]) for o in range(0, len(data), PIECE)] or [
        FakeChunk(name, 0, b"")
    ]


class FakeStream:
    """The chunks of several files, one after another; counts what was read."""

    def __init__(self, *files: tuple[str, bytes]) -> None:
        self.chunks = [c for name, data in files for c in pieces(name, data)]
        self.read = 0

    def __aiter__(self) -> AsyncIterator[FakeChunk]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[FakeChunk]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk


@dataclass
class FakePage:
    board: UploadBoard = field(default_factory=UploadBoard)
    refreshes: int = 0

    async def change(self, edit) -> None:
        self.board = edit(self.board)

    async def refresh(self, user) -> None:
        self.refreshes += 1

    def rows(self) -> dict[str, UploadRow]:
        return {row.name: row for row in self.board.rows}


@dataclass
class Shelf:
    kb_id: str
    writer: str  # session tokens
    reader: str
    queued: list[str]

    def request(self, token: str | None, batch: str = BATCH) -> UploadRequest:
        return UploadRequest(batch, token, self.kb_id, "203.0.113.7")


@pytest.fixture
def shelf(migrated, monkeypatch) -> Shelf:
    """A KB with a writer and a reader, a 1 MB cap, and ingest jobs recorded instead of queued."""
    queued: list[str] = []
    monkeypatch.setattr(document_service, "enqueue_ingest", queued.append)
    monkeypatch.setattr(get_container().settings, "MAX_UPLOAD_MB", 1)
    with get_container().db.session() as session:
        writer = auth.create_user(
            session, email="w@example.com", display_name="Wendy", password=PASSWORD
        )
        reader = auth.create_user(
            session, email="r@example.com", display_name="Rae", password=PASSWORD
        )
        kb = KnowledgeBase(name="Handbook", created_by=writer.id)
        session.add(kb)
        session.flush()
        session.add(KbGrant(kb_id=kb.id, user_id=writer.id, role=KbRole.WRITE))
        session.add(KbGrant(kb_id=kb.id, user_id=reader.id, role=KbRole.READ))
        session.commit()
        kb_id = kb.id
    return Shelf(
        kb_id,
        auth.login("w@example.com", PASSWORD).token,
        auth.login("r@example.com", PASSWORD).token,
        queued,
    )


async def run(stream, request: UploadRequest, page: FakePage) -> int:
    """Drive one request to its end; how many new documents it queued."""
    return len([_ async for _ in upload_protocol.receive(stream, request, page)])


def stored_names(kb_id: str) -> list[str]:
    with get_container().db.session() as session:
        docs = session.exec(select(Document).where(Document.kb_id == kb_id)).all()
    return sorted(d.name for d in docs)


def spooled() -> list[Path]:
    folder = get_container().settings.DATA_DIR / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


def markdown(title: str, size: int = 3000) -> bytes:
    return (f"# {title}\n\n" + "Release notes and checklists. " * (size // 30)).encode()


# -- whole requests ------------------------------------------------------------------------------


async def test_several_files_each_get_their_announced_row_and_become_documents(shelf):
    files = [("notes.md", markdown("Notes")), ("plan.md", markdown("Plan")), ("empty.txt", b"")]
    page = FakePage()
    page.board = page.board.announce(BATCH, [{"name": n, "size": len(d)} for n, d in files])
    assert [r.phase for r in page.board.rows] == ["waiting"] * 3 and page.board.uploading

    queued = await run(FakeStream(*files), shelf.request(shelf.writer), page)

    rows = page.rows()
    assert [r.key for r in page.board.rows] == [f"{BATCH}:0", f"{BATCH}:1", f"{BATCH}:2"]
    # Only a file the server stored and queued gets a tick; the empty one is refused at once.
    assert [rows[n].phase for n in ("notes.md", "plan.md")] == ["uploaded", "uploaded"]
    assert rows["empty.txt"].phase == "rejected"
    assert rows["empty.txt"].detail == "empty.txt is empty; there is nothing to add."
    assert rows["notes.md"].detail == "notes.md uploaded (version 1)."
    assert rows["notes.md"].size == len(files[0][1]) and rows["notes.md"].percent == 100
    assert queued == 2 and len(shelf.queued) == 2
    assert stored_names(shelf.kb_id) == ["notes.md", "plan.md"]
    assert not page.board.uploading and page.board.error == ""
    assert page.board.summary() == "3 files: 2 added · 1 failed"
    assert page.refreshes == 3  # once per new document, once at the end
    assert spooled() == []


async def test_a_file_of_a_type_no_parser_reads_is_refused_with_its_reason_and_stored_nowhere(
    shelf,
):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    files = [
        ("diagram.png", png),
        ("notes.md", markdown("Notes")),
        ("notes-copy.md", markdown("Notes")),
    ]
    page = FakePage()

    queued = await run(FakeStream(*files), shelf.request(shelf.writer), page)

    rows = page.rows()
    assert rows["diagram.png"].phase == "rejected"
    assert rows["diagram.png"].detail == (
        "diagram.png was not added: this file type is not supported: a PNG image."
    )
    assert rows["notes.md"].phase == "uploaded"
    assert rows["notes-copy.md"].phase == "identical"  # the same bytes: no tick, nothing stored
    assert queued == 1 and stored_names(shelf.kb_id) == ["notes.md"]
    assert page.board.summary() == "3 files: 1 added · 1 already here · 1 failed"
    assert spooled() == []


async def test_a_file_over_the_cap_keeps_nothing_says_why_and_spares_the_others(shelf):
    big = b"x" * (MB + PIECE + 10)
    files = [("a.md", markdown("A")), ("big.txt", big), ("c.md", markdown("C"))]
    page = FakePage()

    await run(FakeStream(*files), shelf.request(shelf.writer), page)

    rows = page.rows()
    assert rows["big.txt"].phase == "rejected"
    assert rows["big.txt"].detail == "big.txt is larger than the 1 MB upload limit."
    assert rows["a.md"].phase == rows["c.md"].phase == "uploaded"
    assert stored_names(shelf.kb_id) == ["a.md", "c.md"]
    assert len(shelf.queued) == 2
    assert spooled() == []
    blobs = list(get_container().blobs.list_keys("kb/"))
    assert len(blobs) == 2


async def test_identical_content_is_recognised_and_stores_nothing_new(shelf):
    text = markdown("Checklist")
    await run(FakeStream(("checklist.md", text)), shelf.request(shelf.writer, "first"), FakePage())
    page = FakePage()

    queued = await run(FakeStream(("copy.md", text)), shelf.request(shelf.writer), page)

    row = page.rows()["copy.md"]
    assert row.phase == "identical"
    assert row.detail == "copy.md is identical to checklist.md (version 1); nothing to do."
    assert queued == 0 and len(shelf.queued) == 1
    assert stored_names(shelf.kb_id) == ["checklist.md"]


async def test_without_write_access_nothing_is_read_and_every_announced_row_says_so(shelf):
    stream = FakeStream(("notes.md", markdown("Notes")))
    page = FakePage()
    page.board = page.board.announce(BATCH, [{"name": "notes.md", "size": 10}])

    await run(stream, shelf.request(shelf.reader), page)

    assert stream.read == 0
    assert page.board.error == NO_WRITE_ACCESS and not page.board.uploading
    assert page.rows()["notes.md"].phase == "rejected"
    assert page.rows()["notes.md"].detail == NOT_UPLOADED
    assert stored_names(shelf.kb_id) == [] and spooled() == []


@pytest.mark.parametrize("token", [None, "not-a-session"])
async def test_without_a_session_nothing_is_read(shelf, token):
    stream = FakeStream(("notes.md", markdown("Notes")))
    page = FakePage()

    await run(stream, shelf.request(token), page)

    assert stream.read == 0
    assert page.board.error == SIGNED_OUT and not page.board.uploading
    assert stored_names(shelf.kb_id) == []


async def test_a_browser_that_goes_away_mid_file_leaves_only_the_finished_files(shelf):
    first = markdown("Done")
    second = b"y" * (4 * PIECE)
    gone = asyncio.Event()

    async def chunks() -> AsyncIterator[FakeChunk]:
        for chunk in pieces("done.md", first) + pieces("half.txt", second)[:2]:
            yield chunk
        gone.set()
        await asyncio.Event().wait()  # the rest never arrives

    page = FakePage()
    page.board = page.board.announce(
        BATCH, [{"name": "done.md", "size": len(first)}, {"name": "half.txt", "size": len(second)}]
    )
    task = asyncio.create_task(run(chunks(), shelf.request(shelf.writer), page))
    await gone.wait()  # set just before the stream waits for the rest: the task waits there now
    task.cancel()  # what Reflex does when the request's client disconnects
    with pytest.raises(asyncio.CancelledError):
        await task

    rows = page.rows()
    assert rows["done.md"].phase == "uploaded"
    assert (rows["half.txt"].phase, rows["half.txt"].detail) == ("rejected", INTERRUPTED)
    assert stored_names(shelf.kb_id) == ["done.md"]
    assert spooled() == [] and not page.board.uploading


async def test_the_stream_may_come_before_its_announcement(shelf):
    page = FakePage()
    text = markdown("Early")

    await run(FakeStream(("early.md", text)), shelf.request(shelf.writer), page)
    page.board = page.board.announce(
        BATCH, [{"name": "early.md", "size": len(text)}, {"name": "lost.md", "size": 9}]
    )

    rows = page.rows()
    assert rows["early.md"].phase == "uploaded"  # never moved back to waiting
    assert (rows["lost.md"].phase, rows["lost.md"].detail) == ("rejected", NOT_RECEIVED)
    assert not page.board.uploading  # a late announcement does not lock the drop zone


async def test_a_request_without_a_usable_id_still_makes_a_row_per_file(shelf):
    assert upload_protocol.valid_batch_id("../../etc") is None
    assert upload_protocol.valid_batch_id({"id": 1}) is None
    batch = upload_protocol.new_batch_id()
    assert upload_protocol.valid_batch_id(batch) == batch
    page = FakePage()

    await run(FakeStream(("a.md", markdown("A"))), shelf.request(shelf.writer, batch), page)

    assert [(r.key, r.name, r.phase) for r in page.board.rows] == [
        (f"{batch}:0", "a.md", "uploaded")
    ]


# -- the panel on its own ------------------------------------------------------------------------


def test_files_announced_but_never_streamed_are_marked_not_received():
    board = UploadBoard().announce("b1", [{"name": "a.md", "size": 4}, {"name": "b.md"}])
    board = board.file("b1:0", "a.md", phase="uploaded", received=4, message="a.md uploaded.")

    board = board.finished("b1")

    assert [(r.phase, r.detail) for r in board.rows] == [
        ("uploaded", "a.md uploaded."),
        ("rejected", NOT_RECEIVED),
    ]
    assert (board.uploading, board.percent) == (False, 100)


def test_a_row_shows_bytes_received_then_storing():
    board = UploadBoard().announce("b1", [{"name": "a.md", "size": 2 * MB}])
    board = board.file("b1:0", "a.md", phase="receiving", received=MB)
    assert (board.rows[0].percent, board.rows[0].detail) == (50, "1.0 MB of 2.0 MB received")
    board = board.file("b1:0", "a.md", phase="storing", received=2 * MB)
    assert (board.rows[0].percent, board.rows[0].detail) == (100, "2.0 MB received · storing…")


def test_malformed_announcements_and_progress_are_harmless():
    picked = ["x", {"name": 7, "size": "big"}, {"size": -3}, {"name": "a", "size": float("inf")}]
    board = UploadBoard().announce("b1", picked)
    assert [(r.name, r.size) for r in board.rows] == [("file", 0), ("7", 0), ("file", 0), ("a", 0)]
    assert board.progressed("1", 2).percent == 0
    assert board.progressed(float("inf"), 2).percent == 0
    assert board.progressed(1, 0).percent == 0
    assert board.progressed(3, 4).percent == 75
    many = UploadBoard().announce("b2", [{"name": f"{n}.md"} for n in range(500)])
    assert len(many.rows) == upload_protocol.MAX_UPLOAD_ROWS


def test_clearing_keeps_files_in_flight_and_a_new_page_starts_empty():
    board = UploadBoard().announce("b1", [{"name": "a.md"}, {"name": "b.md"}])
    board = board.file("b1:0", "a.md", phase="uploaded", message="done")
    assert [r.name for r in board.cleared().rows] == ["b.md"]
    assert board.page_opened().rows == board.rows  # still uploading: the panel stays
    ended = board.finished("b1")
    assert ended.page_opened().rows == () and ended.page_opened().ended == ended.ended


def test_the_batch_line_counts_files_and_gives_an_eta_from_the_sending_rate():
    board = UploadBoard().announce("b1", [{"name": f"f{n}.md", "size": 100} for n in range(4)])
    board = dataclasses.replace(board, began_at=1000.0)
    assert board.summary(now=1000.0) == "Uploading 4 files: 4 left"
    board = board.file("b1:0", "f0.md", phase="uploaded", message="f0.md uploaded (version 1).")
    board = board.file("b1:1", "f1.md", phase="rejected", message="f1.md is empty; nothing.")
    board = board.progressed(50, 100)  # half the request sent in 20 s: about 20 s more
    assert board.summary(now=1020.0) == (
        "Uploading 4 files: 1 added · 1 failed · 2 left · about 20 s left"
    )
    board = board.progressed(100, 100)
    assert board.summary(now=1040.0).endswith("2 left · storing the last files")
    board = board.finished("b1")  # the two never streamed are marked not received
    assert board.summary(now=1041.0) == "4 files: 1 added · 3 failed"
    assert not board.uploading and board.began_at == 0.0
