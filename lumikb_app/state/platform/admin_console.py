"""The admin console (/admin/console): dashboard, queues, system health, model usage, archived KBs.

Thin: each event reads through admin_console_rows (services check that the caller is a system
administrator). While the page is open, `watch_live` (a background event) re-reads the queues and
the health every LIVE_SECONDS and pushes them through the websocket; it stops when the tab left
the page or closed, when the caller is no longer an admin, or after LIVE_LIMIT_SECONDS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import reflex as rx

from lumikb_app.db.tables import User
from lumikb_app.ports.jobs import JobActionRefused, NoSuchJob
from lumikb_app.services.accounts import access, auth, sign_in_threads
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.platform import admin_dashboard, admin_jobs, admin_system
from lumikb_app.state.platform import admin_console_rows as rows
from lumikb_app.state.platform.admin_console_rows import (
    ArchivedRow,
    BackendRow,
    FailedRow,
    Figure,
    JobRow,
    QueueRow,
    StorageRow,
    UsageRow,
    WorkerRow,
)
from lumikb_app.state.session import session_token
from lumikb_app.state.shell import ShellState

CONSOLE_PATH = "/admin/console"
log = logging.getLogger(__name__)
LIVE_SECONDS = 3.0
LIVE_LIMIT_SECONDS = 30 * 60
WATCH_STALE_SECONDS = 2 * LIVE_SECONDS
_REFUSED = (
    PermissionDenied,
    NoSuchJob,
    JobActionRefused,
    admin_jobs.BadJobId,
    admin_system.NotRestorable,
    admin_dashboard.BadPeriod,
)


def _tab_connected(token: str) -> bool:
    """Whether this browser tab still has its websocket open. The background task runs in the
    web process that took the tab's event, which holds the tab's socket."""
    try:
        from lumikb_app.lumikb_app import app  # the running app (imported once it serves)

        namespace = app.event_namespace
        if namespace is None:  # not serving (a test calling the handler directly)
            return True
        return token in namespace.token_to_sid
    except Exception:  # Reflex changed: the time limit still ends the refresh
        log.warning("cannot tell whether the console's tab is still open", exc_info=True)
        return True


class AdminConsoleState(ShellState):
    days: int = 14
    figures: list[Figure] = []
    storage: list[StorageRow] = []
    chart: list[dict[str, Any]] = []
    failed_documents: list[FailedRow] = []
    queues: list[QueueRow] = []
    jobs: list[JobRow] = []
    system_label: str = ""
    backends: list[BackendRow] = []
    workers: list[WorkerRow] = []
    workers_error: str = ""
    usage: list[UsageRow] = []
    archived: list[ArchivedRow] = []
    console_error: str = ""
    console_notice: str = ""
    loaded: bool = False
    live_at: str = ""
    _watch_beat: float = 0.0

    async def _admin(self) -> User | None:
        user = await self.current_admin()
        if user is None:
            self.console_error = "Only administrators can do this."
        return user

    async def _read_live(self, user: User) -> None:
        self.queues, self.jobs = await asyncio.to_thread(rows.read_queues, user)
        self.system_label, self.backends, self.workers, self.workers_error = await rows.read_system(
            user
        )
        self.live_at = time.strftime("%H:%M:%S", time.gmtime())

    async def _read_all(self, user: User) -> None:
        view = await asyncio.to_thread(rows.read_dashboard, user, self.days)
        self.figures, self.storage, self.chart = view.figures, view.storage, view.chart
        self.failed_documents = view.failed
        self.usage = await asyncio.to_thread(rows.read_usage, user)
        self.archived = await asyncio.to_thread(rows.read_archived, user)
        await self._read_live(user)

    @rx.event
    async def load_console(self):
        """on_load: every panel, then the live refresh of queues and health."""
        self.console_error, self.console_notice = "", ""
        user = await self._admin()
        if user is None:
            self.loaded = True
            return None
        try:
            await self._read_all(user)
        except _REFUSED as refused:
            self.console_error = str(refused)
        self.loaded = True
        return AdminConsoleState.watch_live

    @rx.event
    async def set_period(self, value: str):
        user = await self._admin()
        if user is None:
            return
        self.days = int(value) if value in {str(p) for p in admin_dashboard.PERIODS} else 14
        view = await asyncio.to_thread(rows.read_dashboard, user, self.days)
        self.figures, self.storage, self.chart = view.figures, view.storage, view.chart
        self.failed_documents = view.failed

    async def _job_action(self, action, job_id: str, done: str):
        user = await self._admin()
        if user is None:
            return
        self.console_error, self.console_notice = "", ""
        try:
            job = await asyncio.to_thread(action, user, job_id[:200], self._ip())
        except _REFUSED as refused:
            self.console_error = str(refused)
            return
        self.console_notice = f"{done}: {job.id}"
        await self._read_live(user)

    @rx.event
    async def requeue_job(self, job_id: str):
        await self._job_action(admin_jobs.requeue_job, job_id, "Queued again")

    @rx.event
    async def cancel_job(self, job_id: str):
        await self._job_action(admin_jobs.cancel_job, job_id, "Cancelled")

    @rx.event
    async def restore_kb(self, kb_id: str):
        user = await self._admin()
        if user is None:
            return
        self.console_error, self.console_notice = "", ""
        try:
            kb = await asyncio.to_thread(admin_system.restore_kb, user, kb_id[:64], self._ip())
        except _REFUSED as refused:
            self.console_error = str(refused)
            return
        self.console_notice = f"Restored {kb.name}."
        self.archived = await asyncio.to_thread(rows.read_archived, user)

    @rx.event(background=True)
    async def watch_live(self):
        """Push the queues and the health every LIVE_SECONDS while this tab shows the console."""
        async with self:
            if time.time() - self._watch_beat < WATCH_STALE_SECONDS:
                return
            self._watch_beat = time.time()
        started, stopped = time.monotonic(), "time limit reached"
        try:
            while time.monotonic() - started < LIVE_LIMIT_SECONDS:
                await asyncio.sleep(LIVE_SECONDS)
                if reason := await self._refresh_live():
                    stopped = reason
                    return
        except asyncio.CancelledError:  # Reflex ends a page load's chain when its tab goes
            stopped = "Reflex ended it (the tab closed or loaded another page)"
            raise
        finally:
            log.info("admin console live refresh stopped: %s", stopped)
            async with self:
                self._watch_beat = 0.0

    async def _refresh_live(self) -> str:
        """One live refresh; why to stop ("" to go on): the tab closed or left the console, or
        its session is no longer an admin's."""
        async with self:
            token = self.router.session.client_token
            on_page = self.router.url.path.rstrip("/") == CONSOLE_PATH
            session = session_token(self.router.headers.cookie)
            self._watch_beat = time.time()
        if not on_page:
            return "the tab left the console"
        if not _tab_connected(token):
            return "the tab closed"
        # Looked up afresh each time (a revoked session stops the refresh), on the lookup threads
        # every session check uses, not behind searches in asyncio's shared pool.
        user = await sign_in_threads.lookup(auth.user_for_token, session) if session else None
        if user is None or not access.is_admin(user):
            return "not an administrator's session any more"
        try:
            queues, jobs = await asyncio.to_thread(rows.read_queues, user)
            system = await rows.read_system(user)
        except Exception as error:  # e.g. Redis down: say so, and try again next time
            async with self:
                self.workers_error = f"Could not refresh: {type(error).__name__}: {error}"[:300]
            return ""
        async with self:
            self.queues, self.jobs = queues, jobs
            self.system_label, self.backends, self.workers, self.workers_error = system
            self.live_at = time.strftime("%H:%M:%S", time.gmtime())
        return ""

    @rx.var
    def today_label(self) -> str:
        today = self.chart[-1] if self.chart else {}
        return f"Today: {today.get('searches', 0)} searches, {today.get('chats', 0)} chat answers"

    @rx.var
    def failed_jobs(self) -> list[JobRow]:
        return [job for job in self.jobs if job.registry == "failed"]

    @rx.var
    def waiting_jobs(self) -> list[JobRow]:
        return [job for job in self.jobs if job.registry != "failed"]
