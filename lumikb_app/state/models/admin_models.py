"""Admin → Models: list the registry, add a model, make one the default of its kind, retire one,
and test a model's connection (a background event, so the page stays usable while it runs).

Every event validates the session again; services/models refuses anyone but a system admin."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from lumikb_app.db.tables import Model, User
from lumikb_app.domain.models import BUILTIN_EMBEDDER_MODEL, ModelKind
from lumikb_app.services.accounts.access import PermissionDenied
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.models import connection, registry
from lumikb_app.state.shell import ShellState

REFUSED = (PermissionDenied, InvalidInput)
ADMINS_ONLY = "Only administrators can do this."
KINDS = tuple(kind.value for kind in ModelKind)
EMBEDDING = ModelKind.embedding.value
FORM_FIELDS = ("name", "litellm_model", "base_url", "api_key_env", "context_window")
MAX_FIELD = 500  # longer than any field the registry accepts; the service says which is wrong
MAX_ID = 36


@dataclass
class ModelRow:
    id: str
    kind: str
    name: str
    litellm_model: str
    builtin: bool  # the offline embedder that runs inside LumiKB
    base_url: str
    api_key_env: str
    key_missing: bool  # names a variable that is not set in this process
    context_window: str
    is_default: bool
    retired: bool
    test_state: str  # "", "testing", "ok", "failed"
    test_message: str


def _row(entry: Model, outcome: tuple[str, str]) -> ModelRow:
    return ModelRow(
        id=entry.id,
        kind=entry.kind,
        name=entry.name,
        litellm_model=entry.litellm_model,
        builtin=(entry.kind, entry.litellm_model) == (EMBEDDING, BUILTIN_EMBEDDER_MODEL),
        base_url=entry.base_url or "",
        api_key_env=entry.api_key_env or "",
        key_missing=not registry.key_is_set(entry),
        context_window=f"{entry.context_window:,}" if entry.context_window else "",
        is_default=entry.is_default,
        retired=entry.retired_at is not None,
        test_state=outcome[0],
        test_message=outcome[1],
    )


def _outcome(result: connection.ConnectionResult) -> tuple[str, str]:
    if result.ok:
        return "ok", f"Connected: answered in {result.latency_ms:,.0f} ms."
    return "failed", f"Failed: {result.error}"


def field_id(name: str) -> str:
    """The element id of an add-model form field (the page uses it, and clears it after adding)."""
    return "new-model-" + name.replace("_", "-")


def _valid_id(model_id: object) -> str | None:
    return model_id if isinstance(model_id, str) and 0 < len(model_id) <= MAX_ID else None


class AdminModelsState(ShellState):
    models: list[ModelRow] = []
    loaded: bool = False
    new_kind: str = ModelKind.chat.value
    add_error: str = ""
    notice: str = ""
    error: str = ""
    _outcomes: dict[str, tuple[str, str]] = {}

    async def _refresh(self, actor: User) -> None:
        entries = await asyncio.to_thread(registry.list_models, actor)
        self.models = [_row(e, self._outcomes.get(e.id, ("", ""))) for e in entries]

    def _say(self, notice: str = "", error: str = "") -> None:
        self.notice, self.error, self.add_error = notice, error, ""

    @rx.event
    async def load_models(self):
        """on_load: the registry, for administrators only."""
        self._say()
        self._outcomes, self.new_kind = {}, ModelKind.chat.value
        actor = await self.current_admin()
        self.models = []
        if actor is not None:
            await self._refresh(actor)
        self.loaded = True

    @rx.event
    def set_new_kind(self, kind: str):
        if kind in KINDS:
            self.new_kind = kind

    @rx.event
    async def add_model(self, form_data: dict):
        self._say()
        actor = await self.current_admin()
        if actor is None:
            self.add_error = ADMINS_ONLY
            return None
        form = form_data if isinstance(form_data, dict) else {}
        fields = {name: str(form.get(name) or "")[:MAX_FIELD] for name in FORM_FIELDS}
        try:
            added = await asyncio.to_thread(
                registry.add_model, actor, kind=self.new_kind, ip=self._ip(), **fields
            )
        except REFUSED as refused:
            self.add_error = str(refused)
            return None
        await self._refresh(actor)
        self.notice = f"Added {added.name}. Test its connection, then make it a default if wanted."
        return [rx.set_value(field_id(name), "") for name in FORM_FIELDS]

    async def _change(self, model_id: object, change, done: str) -> None:
        self._say()
        actor, valid = await self.current_admin(), _valid_id(model_id)
        if actor is None or valid is None:
            self.error = ADMINS_ONLY if actor is None else "No such model."
            return
        try:
            entry = await asyncio.to_thread(change, actor, valid, self._ip())
        except REFUSED as refused:
            self.error = str(refused)
        else:
            self.notice = done.format(name=entry.name)
        await self._refresh(actor)

    @rx.event
    async def make_default(self, model_id: str):
        await self._change(model_id, registry.set_default, "{name} is now the default.")

    @rx.event
    async def retire(self, model_id: str):
        await self._change(model_id, registry.retire_model, "{name} is retired.")

    @rx.event(background=True)
    async def check_connection(self, model_id: str):
        """One short real call to the model; its session is closed before the call starts."""
        valid = _valid_id(model_id)
        async with self:
            listed = {r.id for r in self.models}
            if valid not in listed or any(r.test_state == "testing" for r in self.models):
                return  # a model on this page, one test at a time
            actor = await self.current_admin()
            self._say()
            self._set_outcome(valid, ("testing", "Testing…"))
        if actor is None:
            outcome = ("failed", ADMINS_ONLY)
        else:
            try:
                result = await asyncio.to_thread(connection.check_connection, actor, valid)
            except REFUSED as refused:
                outcome = ("failed", str(refused))
            else:
                outcome = _outcome(result)
        async with self:
            self._set_outcome(valid, outcome)

    def _set_outcome(self, model_id: str, outcome: tuple[str, str]) -> None:
        self._outcomes = {**self._outcomes, model_id: outcome}
        self.models = [
            ModelRow(**{**vars(r), "test_state": outcome[0], "test_message": outcome[1]})
            if r.id == model_id
            else r
            for r in self.models
        ]
