"""Helpers for tests that run the graph stage on real documents: a member account, the stage
row of a document, waiting for the stage to settle, and a document's chunk texts."""

from __future__ import annotations

from sqlmodel import select

from lumikb_app.container import get_container
from lumikb_app.db.tables import Chunk, GraphExtraction, User
from lumikb_app.domain.enums import SystemRole
from lumikb_app.domain.graph import GraphStage
from lumikb_app.services.accounts.auth import create_user
from tests.integration.documents.ingest_helpers import wait_for, wait_until_settled


def member(email: str) -> User:
    with get_container().db.session() as session:
        user = create_user(
            session, email=email, display_name=email, password="long enough pw",
            role=SystemRole.member,
        )  # fmt: skip
        session.commit()
        return user


def stage(document_id: str) -> GraphExtraction | None:
    with get_container().db.session() as session:
        return session.get(GraphExtraction, document_id)


def settled_stage(document_id: str) -> GraphExtraction:
    """The document's graph stage once the document and then the stage have settled."""

    def settled() -> bool:
        row = stage(document_id)
        return row is not None and row.state in (GraphStage.ready, GraphStage.failed)

    wait_until_settled([document_id])
    wait_for(settled, timeout=120, what=f"the graph stage of {document_id}")
    row = stage(document_id)
    assert row is not None
    return row


def chunk_texts(document_id: str) -> dict[str, str]:
    with get_container().db.session() as session:
        rows = session.exec(select(Chunk.id, Chunk.text).where(Chunk.document_id == document_id))
        return dict(rows.all())
