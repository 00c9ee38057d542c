"""The admin audit page: filter by actor, action, KB and dates; page through; export what is shown.

Filters apply as they change. The export link carries the same filters to the streaming route
(`api/audit_export.py`), which checks the session and role again and audits the export.
"""

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlencode

import reflex as rx

from lumikb_app.api.accounts.audit_export import EXPORT_PATH
from lumikb_app.db.tables import AuditEvent, User
from lumikb_app.services.accounts import audit as audit_service
from lumikb_app.services.knowledge_bases import kbs as kb_service
from lumikb_app.state.shell import ShellState

ALL = "__all__"  # the select's "any" choice (a Radix select item cannot have an empty value)
PER_PAGE = 25
MAX_DETAILS_LENGTH = 400
_TONES = {
    "login.failed": "red",
    "account.locked": "red",
    "user.deactivated": "red",
    "login.ok": "green",
    "user.created": "green",
    "user.unlocked": "green",
}


@dataclass
class AuditRow:
    seq: int
    date: str
    clock: str
    actor: str
    ip: str
    action: str
    tone: str
    target: str
    kb: str
    details: str


@dataclass
class KbOption:
    id: str
    name: str


def _details(event: AuditEvent) -> str:
    if not event.details:
        return ""
    text = json.dumps(event.details, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_DETAILS_LENGTH else text[: MAX_DETAILS_LENGTH - 1] + "…"


def _row(event: AuditEvent, kb_names: dict[str, str]) -> AuditRow:
    return AuditRow(
        seq=event.seq or 0,
        date=event.created_at.strftime("%Y-%m-%d"),
        clock=event.created_at.strftime("%H:%M:%S"),
        actor=event.actor_email or "—",
        ip=event.ip or "—",
        action=event.action,
        tone=_TONES.get(event.action, "gray" if event.action.startswith("login") else "indigo"),
        target=event.target or "",
        kb=kb_names.get(event.kb_id, event.kb_id) if event.kb_id else "",
        details=_details(event),
    )


def _choices(actor: User) -> tuple[list[str], list[KbOption]]:
    actions = audit_service.actions(actor)
    return actions, [KbOption(kb.id, kb.name) for kb in kb_service.list_kbs(actor)]


def _page(
    actor: User, f: audit_service.AuditFilter, page: int, kb_names: dict[str, str]
) -> tuple[list[AuditRow], int]:
    events, total = audit_service.search(actor, f, page=page, per_page=PER_PAGE)
    return [_row(event, kb_names) for event in events], total


class AdminAuditState(ShellState):
    rows: list[AuditRow] = []
    total: int = 0
    page: int = 1
    loaded: bool = False
    filter_error: str = ""
    actor_filter: str = ""
    action_filter: str = ALL
    kb_filter: str = ALL
    since_filter: str = ""
    until_filter: str = ""
    action_options: list[str] = []
    kb_options: list[KbOption] = []

    def _filter_values(self) -> dict[str, str]:
        return {
            "actor": self.actor_filter.strip(),
            "action": "" if self.action_filter == ALL else self.action_filter,
            "kb_id": "" if self.kb_filter == ALL else self.kb_filter,
            "since": self.since_filter,
            "until": self.until_filter,
        }

    async def _search(self, page: int = 1) -> None:
        actor = await self.current_admin()
        if actor is None:
            self.rows, self.total = [], 0
            return
        try:
            f = audit_service.audit_filter(**self._filter_values())
        except audit_service.BadFilter as error:
            self.filter_error, self.rows, self.total = str(error), [], 0
            return
        self.filter_error = ""
        kb_names = {kb.id: kb.name for kb in self.kb_options}
        self.rows, self.total = await asyncio.to_thread(_page, actor, f, page, kb_names)
        last = max(1, -(-self.total // PER_PAGE))
        if page > last:  # the filter narrowed the results below this page
            self.rows, self.total = await asyncio.to_thread(_page, actor, f, last, kb_names)
            page = last
        self.page = page

    @rx.event
    async def load_audit(self):
        """on_load: the filter choices and the newest events (admins only)."""
        actor = await self.current_admin()
        if actor is None:
            self.rows, self.total, self.loaded = [], 0, True
            return
        self.action_options, self.kb_options = await asyncio.to_thread(_choices, actor)
        await self._search(1)
        self.loaded = True

    @rx.event
    async def filter_actor(self, value: str):
        self.actor_filter = value[:254]
        await self._search(1)

    @rx.event
    async def filter_action(self, value: str):
        self.action_filter = value or ALL
        await self._search(1)

    @rx.event
    async def filter_kb(self, value: str):
        self.kb_filter = value or ALL
        await self._search(1)

    @rx.event
    async def filter_since(self, value: str):
        self.since_filter = value[:10]
        await self._search(1)

    @rx.event
    async def filter_until(self, value: str):
        self.until_filter = value[:10]
        await self._search(1)

    @rx.event
    async def clear_filters(self):
        self.actor_filter, self.action_filter, self.kb_filter = "", ALL, ALL
        self.since_filter, self.until_filter = "", ""
        await self._search(1)

    @rx.event
    async def next_page(self):
        if self.page < self.page_count:
            await self._search(self.page + 1)

    @rx.event
    async def previous_page(self):
        if self.page > 1:
            await self._search(self.page - 1)

    @rx.var
    def page_count(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @rx.var
    def page_label(self) -> str:
        events = f"{self.total} event" + ("" if self.total == 1 else "s")
        return f"Page {self.page} of {self.page_count} · {events}"

    @rx.var
    def has_filters(self) -> bool:
        return any(self._filter_values().values())

    @rx.var
    def export_href(self) -> str:
        params = {name: value for name, value in self._filter_values().items() if value}
        return EXPORT_PATH + (f"?{urlencode(params)}" if params else "")
