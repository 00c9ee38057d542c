"""KB settings' knowledge graph section: the mode, graph retrieval, the status card, re-extraction,
and the estimate a KB admin confirms before a language model reads every document.

Only a KB admin gets past `load_graph` (anyone else sees an empty section, like the rest of the
page); every service call checks again. While documents are extracting, `watch_graph` (a
background event) re-reads the card every couple of seconds until they are done or the browser
left the page.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.domain.enums import KbRole
from lumikb_app.services.accounts import auth
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.graph import graph_mode, status
from lumikb_app.services.knowledge_bases import kbs as kb_service
from lumikb_app.state.knowledge_bases.graph_card import (
    EstimateCard,
    GraphCard,
    estimate_card,
    graph_card,
)
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

REFUSED = (InvalidInput, PermissionDenied)
MODES = graph_mode.MODES
SAVED_NO_DOCUMENTS = "Saved. Each document you add gets its graph once it is searchable."
WATCH_SECONDS = 2.0
WATCH_LIMIT_SECONDS = 30 * 60  # a page left open on a stuck queue stops asking
WATCH_STALE_SECONDS = 6.0


@dataclass(frozen=True)
class _Loaded:
    mode: str
    retrieval: bool
    llm_model: str
    card: GraphCard


def _load(user: User, kb_id: str) -> _Loaded | None:
    """The section for a KB admin, or None for anyone else (or a missing KB)."""
    if not kb_id or kb_service.my_role(user, kb_id) != KbRole.ADMIN:
        return None
    try:
        found = status.kb_status(user, kb_id)
    except PermissionDenied:
        return None
    return _Loaded(found.mode, found.retrieval, found.llm_model, graph_card(found))


def _load_for_token(token: str | None, kb_id: str) -> _Loaded | None:
    user = auth.user_for_token(token)
    return _load(user, kb_id) if user is not None else None


def _notice(change: graph_mode.ModeChange) -> str:
    if change.mode == "off":
        return (
            "The knowledge graph is off: search and chat no longer use it. What was extracted "
            "is kept, so turning it on again is quick."
        )
    if change.queued:
        count = f"{change.queued} document" + ("" if change.queued == 1 else "s")
        return f"Saved. Extracting {count} in the background."
    return SAVED_NO_DOCUMENTS


class KbGraphState(ShellState):
    graph_kb_id: str = ""
    graph_loaded: bool = False
    graph_mode: str = "off"
    graph_retrieval: bool = False
    llm_model: str = ""  # "" : no model, so the language-model mode cannot be chosen
    card: GraphCard = GraphCard()
    graph_error: str = ""
    graph_notice: str = ""
    # The estimate dialog: what confirming it does ("llm": switch to the language model,
    # "reextract": read everything again with it), and the figures it shows.
    estimate_for: str = ""
    estimate: EstimateCard = EstimateCard()
    estimating: bool = False  # the estimate is being worked out

    _watch_beat: float = 0.0

    def _show(self, loaded: _Loaded | None) -> None:
        self.graph_loaded = loaded is not None
        if loaded is None:
            return
        self.graph_mode, self.graph_retrieval = loaded.mode, loaded.retrieval
        self.llm_model = loaded.llm_model
        self.card = loaded.card

    async def _refresh(self, user: User):
        self._show(await asyncio.to_thread(_load, user, self.graph_kb_id))
        return KbGraphState.watch_graph if self.card.working else None

    @rx.event
    async def load_graph(self):
        """on_load of the settings page, after check_session."""
        self.graph_kb_id = self._route_kb_id()
        self.graph_error = self.graph_notice = self.estimate_for = ""
        self.graph_loaded = self.estimating = False
        user = await self.current_user()
        if user is None:
            return None
        return await self._refresh(user)

    @rx.var
    def llm_disabled_reason(self) -> str:
        return "" if self.llm_model else graph_mode.NO_MODEL

    # -- changes --------------------------------------------------------------------------------

    @rx.event
    async def choose_mode(self, mode: str):
        """The mode control. The language model asks for confirmation first when there are
        documents to read (its estimate)."""
        self.graph_error = self.graph_notice = ""
        if mode not in MODES or mode == self.graph_mode or self.estimating:
            return
        if mode == "llm" and self.llm_model:  # the server says whether there is anything to read
            self.estimating = True
            yield
            yield await self._ask_estimate("llm")
            return
        yield await self._save_mode(mode)

    @rx.event
    async def reextract(self):
        self.graph_error = self.graph_notice = ""
        if self.estimating:
            return
        if self.graph_mode == "llm":
            self.estimating = True
            yield
            yield await self._ask_estimate("reextract")
            return
        yield await self._reextract()

    @rx.event
    async def confirm_estimate(self, action: str):
        """The dialog passes what it shows, so its closing first cannot lose the action."""
        self.estimate_for = ""
        if action == "llm":
            return await self._save_mode("llm")
        if action == "reextract":
            return await self._reextract()
        return None

    @rx.event
    def estimate_dialog_changed(self, is_open: bool):
        if not is_open:
            self.estimate_for = ""  # cancelled: nothing changes

    @rx.event
    async def set_graph_retrieval(self, on: bool):
        self.graph_error = self.graph_notice = ""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            self.graph_retrieval = await asyncio.to_thread(
                graph_mode.set_retrieval, user, self.graph_kb_id, on, self._ip()
            )
        except REFUSED as error:
            self.graph_error = str(error)
            return None
        self.graph_notice = (
            "Search and chat use the graph by default."
            if self.graph_retrieval
            else "Search and chat no longer use the graph by default."
        )
        return None

    async def _ask_estimate(self, action: str):
        """Open the estimate dialog, or go ahead when there is nothing to read (the first price
        lookup loads LiteLLM's cost map: seconds)."""
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            found = await asyncio.to_thread(status.extraction_estimate, user, self.graph_kb_id)
        except REFUSED as error:
            self.graph_error = str(error)
            return None
        finally:
            self.estimating = False
        if found.chunks == 0:  # nothing for the model to read: nothing to confirm
            return await (self._save_mode("llm") if action == "llm" else self._reextract())
        self.estimate, self.estimate_for = estimate_card(found), action
        return None

    async def _save_mode(self, mode: str):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            change = await asyncio.to_thread(
                graph_mode.set_mode, user, self.graph_kb_id, mode, self._ip()
            )
        except REFUSED as error:
            self.graph_error = str(error)
            return None
        self.graph_notice = _notice(change)
        return await self._refresh(user)

    async def _reextract(self):
        user = await self.current_user()
        if user is None:
            return rx.redirect("/login")
        try:
            queued = await asyncio.to_thread(graph_mode.reextract, user, self.graph_kb_id)
        except REFUSED as error:
            self.graph_error = str(error)
            return None
        self.graph_notice = (
            f"Extracting {queued} document{'' if queued == 1 else 's'} again in the background."
        )
        return await self._refresh(user)

    # -- live card ------------------------------------------------------------------------------

    @rx.event(background=True)
    async def watch_graph(self):
        """Re-read the card while documents are extracting and the page is open."""
        async with self:
            if time.time() - self._watch_beat < WATCH_STALE_SECONDS:
                return
            self._watch_beat = started = time.time()
        try:
            while time.time() - started < WATCH_LIMIT_SECONDS:
                await asyncio.sleep(WATCH_SECONDS)
                async with self:
                    kb_id = self.graph_kb_id
                    if self.router.url.path.rstrip("/") != f"/kb/{kb_id}/settings":
                        return
                    self._watch_beat = time.time()
                    token = session_token(self.router.headers.cookie)
                loaded = await asyncio.to_thread(_load_for_token, token, kb_id)
                async with self:
                    if kb_id != self.graph_kb_id:
                        return
                    self._show(loaded)
                    if loaded is None or not loaded.card.working:
                        return
        finally:
            async with self:
                self._watch_beat = 0.0
