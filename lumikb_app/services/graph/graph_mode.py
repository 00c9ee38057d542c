"""Turning a KB's knowledge graph on, off or to another extractor, and its use in retrieval.

Saved through the KB settings (KB admin, audited there). Turning the graph on, or switching
between the extractors, queues the extraction of every current document; turning it off keeps
what was extracted (search and chat stop using it, and turning it on again reuses each
passage's stored result instead of reading it again).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from lumikb_app.db.tables import KnowledgeBase, User
from lumikb_app.domain.enums import KbRole
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.services.accounts.access import require
from lumikb_app.services.accounts.auth import InvalidInput
from lumikb_app.services.graph import extraction
from lumikb_app.services.graph.status import extraction_model_name
from lumikb_app.services.knowledge_bases import kb_config
from lumikb_app.services.platform.transactions import read_session

MODES = ("off", "fast", "llm")
NO_MODEL = (
    "No extraction or chat model is in the model registry; an administrator adds one in "
    "Admin → Models."
)


@dataclass(frozen=True)
class ModeChange:
    mode: str
    queued: int  # documents queued for extraction (0 when nothing needed it)


def set_mode(user: User, kb_id: str, mode: str, ip: str | None = None) -> ModeChange:
    """Save the KB's graph mode (KB admin); queue every current document when it needs one."""
    if mode not in MODES:
        raise InvalidInput("Choose off, fast (without a language model) or llm.")
    with read_session() as session:
        before = _admin_settings(session, user, kb_id).graph_mode
        if mode == "llm" and extraction_model_name(session) is None:
            raise InvalidInput(NO_MODEL)
    kb_config.update_settings(user, kb_id, {"graph_mode": mode}, ip=ip)
    if mode == "off" or mode == before:
        return ModeChange(mode, 0)
    return ModeChange(mode, extraction.queue_kb(user, kb_id))


def set_retrieval(user: User, kb_id: str, on: bool, ip: str | None = None) -> bool:
    """Whether search and chat fuse graph results by default in this KB (KB admin)."""
    if not isinstance(on, bool):  # a JSON caller could send anything
        raise InvalidInput("Graph retrieval is on or off.")
    return kb_config.update_settings(user, kb_id, {"graph_retrieval": on}, ip=ip)[0].graph_retrieval


def reextract(user: User, kb_id: str) -> int:
    """Read every current document again from scratch (KB admin); how many were queued."""
    with read_session() as session:
        mode = _admin_settings(session, user, kb_id).graph_mode
    if mode == "off":
        raise InvalidInput("Turn the knowledge graph on first.")
    return extraction.queue_kb(user, kb_id, force=True)


def _admin_settings(session: Session, user: User, kb_id: str) -> KbSettings:
    require(session, user, kb_id, KbRole.ADMIN)
    return KbSettings.model_validate(session.get_one(KnowledgeBase, kb_id).settings)
