"""Drafting pages' states as a browser drives them: signed in with a person's session cookie on
a route, the page's session check run (it fills the KBs the pickers offer), handlers then called
directly (`State.handler.fn(page, ...)`) with whatever a hand-made event could send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

import lumikb_app.lumikb_app  # noqa: F401  (the app's import order: see requests.md)
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.auth import COOKIE_NAME
from lumikb_app.state.drafting import draft_editor
from lumikb_app.state.drafting.draft_editor import DraftEditorState
from lumikb_app.state.session import AppState
from tests.reflex_states import signed_in_state

S = TypeVar("S")
PASSWORD = "a long enough secret"


async def page_state(state_class: type[S], user: User, path: str, **route: str) -> S:
    token = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    root = signed_in_state(state_class.get_root_state(), token, path, **route)  # type: ignore[attr-defined]
    app = root.get_substate(AppState.get_full_name().split("."))
    await AppState.check_session.fn(app)
    return root.get_substate(state_class.get_full_name().split("."))  # type: ignore[attr-defined]


async def draft_page(user: User, draft_id: str) -> DraftEditorState:
    """The draft page opened by `user` (its on_load run), with the address the browser sends."""
    token = auth.login(user.email, PASSWORD, ip="127.0.0.1").token
    path = f"/drafts/{draft_id}"
    root = signed_in_state(DraftEditorState.get_root_state(), token, path, draft_id=draft_id)
    root.router = type(root.router).from_router_data(
        {
            "headers": {"cookie": f"{COOKIE_NAME}={token}"},
            "pathname": path,
            "asPath": path,
            "query": {"draft_id": draft_id},
        }
    )
    page = root.get_substate(DraftEditorState.get_full_name().split("."))
    await DraftEditorState.load_draft.fn(page)
    return page


async def watcher_looks(page: DraftEditorState) -> bool | None:
    """One look of the draft page's live watcher, as its background event takes it."""
    look = page._look()
    assert look is not None
    return await draft_editor._WatchedDraft(page).show(look, draft_editor._read(look))


@dataclass(frozen=True)
class Piece:
    """One piece of a streamed upload, as Reflex's UploadChunk carries it."""

    filename: str
    offset: int
    data: bytes


class Stream:
    """A browser's upload of files in pieces; counts how many pieces the page read."""

    def __init__(self, *files: tuple[str, bytes], piece: int = 64 * 1024) -> None:
        self.pieces = [
            Piece(name, offset, data[offset : offset + piece])
            for name, data in files
            for offset in range(0, max(len(data), 1), piece)
        ]
        self.read = 0

    def __aiter__(self) -> AsyncIterator[Piece]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[Piece]:
        for piece in self.pieces:
            self.read += 1
            yield piece
