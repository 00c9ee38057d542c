"""Cached query embeddings and search results (Redis when configured, in-process otherwise).

A result is keyed by everything it depends on, including each searched KB's content version,
so a change to a KB's documents or settings makes older entries unreachable (they expire).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Document, GraphExtraction, KnowledgeBase
from lumikb_app.domain.enums import DocumentStatus
from lumikb_app.domain.kb_settings import KbSettings
from lumikb_app.domain.retrieval import Passage

EMBEDDING_TTL = 24 * 3600
RESULT_TTL = 300
_TUPLE_FIELDS = ("heading_path", "matched_terms")
_PASSAGE_FIELDS = dataclasses.fields(Passage)


def content_versions(session: Session, kbs: Sequence[KnowledgeBase]) -> dict[str, str]:
    """Per KB, a string that changes whenever what a search over it may return changes:
    its settings, name and index version, and the count and latest change of its ready documents.
    """
    if not kbs:
        return {}
    stats = session.exec(
        select(
            Document.kb_id, func.count(), func.max(Document.updated_at), func.sum(Document.version)
        )
        .where(
            col(Document.kb_id).in_([kb.id for kb in kbs]),
            Document.status == DocumentStatus.ready.value,
        )
        .group_by(Document.kb_id)
    ).all()
    by_kb = {kb_id: (count, str(latest), total) for kb_id, count, latest, total in stats}
    graphs = _graph_versions(session, [kb.id for kb in kbs if _graph_on(kb)])
    return {
        kb.id: _digest(
            [
                kb.index_version,
                kb.settings,
                kb.name,
                str(kb.updated_at),
                by_kb.get(kb.id),
                graphs.get(kb.id),
            ]
        )
        for kb in kbs
    }


def _graph_on(kb: KnowledgeBase) -> bool:
    return KbSettings.model_validate(kb.settings).graph_mode != "off"


def _graph_versions(session: Session, kb_ids: list[str]) -> dict[str, str]:
    """Per KB, when its graph last changed (a graph stage finished), for graph fusion; no
    query when no KB searched has a graph."""
    if not kb_ids:
        return {}
    rows = session.exec(
        select(GraphExtraction.kb_id, func.count(), func.max(GraphExtraction.finished_at))
        .where(col(GraphExtraction.kb_id).in_(kb_ids))
        .group_by(GraphExtraction.kb_id)
    ).all()
    return {kb_id: f"{count}:{latest}" for kb_id, count, latest in rows}


def result_key(**parts: Any) -> str:
    return "search:result:" + _digest(parts)


def embedding_key(model: str, query: str) -> str:
    return "search:embedding:" + _digest([model, query])


def get_embedding(model: str, query: str) -> list[float] | None:
    return get_container().cache.get(embedding_key(model, query))


def put_embedding(model: str, query: str, vector: Sequence[float]) -> None:
    get_container().cache.set(embedding_key(model, query), list(vector), EMBEDDING_TTL)


def get_passages(key: str) -> list[Passage] | None:
    raw = get_container().cache.get(key)
    return None if raw is None else [_passage(item) for item in raw]


def put_passages(key: str, passages: Sequence[Passage]) -> None:
    get_container().cache.set(key, [_fields(p) for p in passages], RESULT_TTL)


def _fields(passage: Passage) -> dict[str, Any]:
    return {field.name: getattr(passage, field.name) for field in _PASSAGE_FIELDS}


def _passage(item: dict[str, Any]) -> Passage:
    for name in _TUPLE_FIELDS:
        item[name] = tuple(item.get(name) or ())
    return Passage(**item)


def _digest(value: Any) -> str:
    encoded = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()
