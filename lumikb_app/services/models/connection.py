"""Test a registry entry's connection: one short real call through the port, with a timeout,
after the entry was read and its session closed (never inside a unit of work)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

from lumikb_app.container import get_container
from lumikb_app.db.tables import Model, User
from lumikb_app.domain.models import ModelKind
from lumikb_app.ports.embeddings import Embedder
from lumikb_app.ports.llm import ChatModel
from lumikb_app.services.accounts.access import require_admin
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.models.entries import spec_of
from lumikb_app.services.platform.transactions import read_session

TIMEOUT_SECONDS = 20.0
MAX_ERROR_CHARS = 400
PROBE_TEXT = "LumiKB connection test"


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    latency_ms: float | None  # the call's round trip when it answered
    error: str  # what went wrong, for a person, when it did not


def check_connection(actor: User, model_id: str) -> ConnectionResult:
    require_admin(actor)
    with read_session() as session:
        entry = session.get(Model, model_id) if isinstance(model_id, str) and model_id else None
        if entry is None:
            raise InvalidInput("No such model in the registry.")
        spec = spec_of(entry)
    started = time.perf_counter()
    try:
        model = get_container().probe_model(spec, TIMEOUT_SECONDS)
        _call(model, spec.kind)
    except Exception as exc:  # any failure is the answer the admin asked for
        message = " ".join(str(exc).split()) or type(exc).__name__
        return ConnectionResult(False, None, message[:MAX_ERROR_CHARS])
    return ConnectionResult(True, round((time.perf_counter() - started) * 1000, 1), "")


def _call(model: ChatModel | Embedder, kind: ModelKind) -> None:
    if kind is ModelKind.embedding:
        cast(Embedder, model).embed_query(PROBE_TEXT)
    else:
        question = f"{PROBE_TEXT}: reply OK."
        cast(ChatModel, model).complete([{"role": "user", "content": question}], max_tokens=5)
