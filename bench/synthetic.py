"""Synthetic ready documents for the search and chat benches: a throwaway deployment, SQL rows
and vector points.

Rows go straight into the stores (no ingestion job), so a bench measures search, not ingest.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence


def deployment(tmp: str) -> None:
    """A throwaway embedded deployment under `tmp` (the bench owns its process), migrated."""
    os.environ["DATA_DIR"] = tmp
    for name in ("DATABASE_URL", "QDRANT_HOST", "REDIS_URL", "LLM_MODEL"):
        os.environ.pop(name, None)
    from lumikb_app.container import reset_container
    from lumikb_app.db.migrate import upgrade

    reset_container()
    upgrade()


def bench_admin(session):
    """The benches' admin, created and committed in `session`, then detached from it."""
    from lumikb_app.domain.enums import SystemRole
    from lumikb_app.services.accounts.auth import create_user

    user = create_user(
        session, email="bench@example.com", display_name="B", password=None,
        role=SystemRole.admin,
    )  # fmt: skip
    session.commit()
    session.expunge(user)
    return user


def admin_and_kb(container) -> tuple[object, str]:
    from lumikb_app.services.knowledge_bases import kbs

    with container.db.session() as session:
        user = bench_admin(session)
    return user, kbs.create_kb(user, "Bench").id


def rows_and_points(
    kb_id: str,
    texts: Sequence[str],
    vectors: Sequence[Sequence[float]],
    *,
    first: int,
    chunks_per_doc: int,
    name: str,
    mime_type: str,
):
    """Documents, chunks and points for chunks `first..first+len(texts)`; `name` takes {n}."""
    from lumikb_app.db.tables import Chunk, Document
    from lumikb_app.ports.vectors import VectorPoint

    docs, rows, points = [], [], []
    for i, (text, vector) in enumerate(zip(texts, vectors, strict=True), start=first):
        doc_id = str(uuid.UUID(int=i // chunks_per_doc + 1))
        chunk_id = str(uuid.UUID(int=(1 << 64) + i))
        if i % chunks_per_doc == 0:
            docs.append(
                Document(
                    id=doc_id, kb_id=kb_id, name=name.format(n=i // chunks_per_doc),
                    mime_type=mime_type, status="ready", chunk_count=chunks_per_doc,
                )
            )  # fmt: skip
        rows.append(
            Chunk(
                id=chunk_id, document_id=doc_id, kb_id=kb_id, ordinal=i % chunks_per_doc,
                text=text, char_start=0, char_end=len(text),
            )
        )  # fmt: skip
        points.append(
            VectorPoint(
                id=str(uuid.UUID(int=i + 1)), dense=vector, text=text,
                payload={"kb_id": kb_id, "document_id": doc_id, "chunk_id": chunk_id},
            )
        )  # fmt: skip
    return docs, rows, points


def store(container, collection: str, docs, rows, points) -> None:
    with container.db.session() as session:
        session.add_all(docs)
        session.flush()  # chunks reference their documents
        session.add_all(rows)
        session.commit()
    container.vectors.upsert(collection, points)
