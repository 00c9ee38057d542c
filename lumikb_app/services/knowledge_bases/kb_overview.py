"""What the home page shows of each knowledge base: how many documents it holds and when it last
changed. Two queries (which KBs the user may read, then one aggregate over them), however many
KBs there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from lumikb_app.db.tables import Document, KnowledgeBase, User
from lumikb_app.domain.enums import DocumentStatus as S
from lumikb_app.services.accounts import access
from lumikb_app.services.platform.transactions import read_session

# The rows the documents table hides: a version being deleted, or one a newer version replaced.
HIDDEN = (S.deleting.value, S.superseded.value)


@dataclass(frozen=True)
class KbOverview:
    kb_id: str
    name: str
    description: str
    documents: int  # documents, not versions: what the KB's documents table lists
    last_activity: datetime  # the newest upload or change of a document, or of the KB itself
    archived_at: datetime | None


def kb_overviews(user: User) -> list[KbOverview]:
    """The KBs the user may read (archived ones are left out), by name, with their figures."""
    with read_session() as session:
        return overviews_of(session, access.readable_kb_ids(session, user))


def overviews_of(session: Session, kb_ids: list[str]) -> list[KbOverview]:
    """The figures of the given KBs in one query, by name. Building block: the caller checked
    access."""
    if not kb_ids:
        return []
    live = and_(col(Document.kb_id) == col(KnowledgeBase.id), col(Document.status).not_in(HIDDEN))
    rows = session.exec(
        select(
            KnowledgeBase,
            func.count(func.distinct(col(Document.stable_id))),
            func.max(col(Document.updated_at)),
        )
        .join(Document, live, isouter=True)
        .where(col(KnowledgeBase.id).in_(kb_ids))
        .group_by(col(KnowledgeBase.id))
        .order_by(col(KnowledgeBase.name), col(KnowledgeBase.id))
    ).all()
    return [
        KbOverview(
            kb.id,
            kb.name,
            kb.description,
            int(documents),
            max(kb.updated_at, newest) if newest else kb.updated_at,
            kb.archived_at,
        )  # fmt: skip
        for kb, documents, newest in rows
    ]
