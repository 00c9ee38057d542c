"""document identity: one id for every version of a document

`documents.stable_id` is the id the versions of one file share (services/documents/versions.py).
Existing version chains, the rows of one name in one KB, become one document: each row takes
the id of the chain's first version, so every link made before keeps working (a link naming
one of the other rows' ids is still read as that document). Downgrading turns superseded
versions, which the earlier schema does not know, into deletions that the outbox purges.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 12:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENTS = sa.table(
    "documents",
    sa.column("id", sa.String),
    sa.column("kb_id", sa.String),
    sa.column("name", sa.String),
    sa.column("version", sa.Integer),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("status", sa.String),
    sa.column("stable_id", sa.String),
)
OUTBOX = sa.table(
    "outbox",
    sa.column("kind", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stable_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
    first = DOCUMENTS.alias("first")
    first_of_chain = (
        sa.select(first.c.id)
        .where(first.c.kb_id == DOCUMENTS.c.kb_id, first.c.name == DOCUMENTS.c.name)
        .order_by(first.c.version, first.c.created_at, first.c.id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(DOCUMENTS.update().values(stable_id=first_of_chain))
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.alter_column(
            "stable_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False
        )
        batch_op.create_index(batch_op.f("ix_documents_stable_id"), ["stable_id"], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    superseded = bind.execute(
        sa.select(DOCUMENTS.c.id, DOCUMENTS.c.kb_id).where(DOCUMENTS.c.status == "superseded")
    ).all()
    if superseded:
        op.execute(
            DOCUMENTS.update().where(DOCUMENTS.c.status == "superseded").values(status="deleting")
        )
        now = datetime.now(UTC)
        op.bulk_insert(
            OUTBOX,
            [
                {
                    "kind": "purge_document",
                    "payload": {"document_id": document_id, "kb_id": kb_id},
                    "attempts": 0,
                    "created_at": now,
                }
                for document_id, kb_id in superseded
            ],
        )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_stable_id"))
        batch_op.drop_column("stable_id")
