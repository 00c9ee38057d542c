"""unique document versions: one row per (KB, name, version)

Two uploads of one name at the same moment could both become version N+1. The constraint makes
the second one fail (the upload then asks to try again). Versions the race already doubled are
renumbered first: the later rows of a clash (and their chunks) take the next free numbers of
their name, in the order they were created, so no row is lost.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = "uq_documents_kb_name_version"
DOCUMENTS = sa.table(
    "documents",
    sa.column("id", sa.String),
    sa.column("kb_id", sa.String),
    sa.column("name", sa.String),
    sa.column("version", sa.Integer),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)
CHUNKS = sa.table("chunks", sa.column("document_id", sa.String), sa.column("version", sa.Integer))


def upgrade() -> None:
    _renumber_doubled_versions()
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_unique_constraint(CONSTRAINT, ["kb_id", "name", "version"])


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(CONSTRAINT, type_="unique")


def _renumber_doubled_versions() -> None:
    bind = op.get_bind()
    d = DOCUMENTS.c
    clashes = bind.execute(
        sa.select(d.kb_id, d.name, d.version)
        .group_by(d.kb_id, d.name, d.version)
        .having(sa.func.count() > 1)
    ).all()
    for kb_id, name, version in clashes:
        of_name = (d.kb_id == kb_id) & (d.name == name)
        latest = bind.execute(sa.select(sa.func.max(d.version)).where(of_name)).scalar_one()
        later = bind.execute(
            sa.select(d.id)
            .where(of_name, d.version == version)
            .order_by(d.created_at, d.id)
            .offset(1)
        ).scalars()
        for number, document_id in enumerate(list(later), start=latest + 1):
            bind.execute(DOCUMENTS.update().where(d.id == document_id).values(version=number))
            bind.execute(
                CHUNKS.update().where(CHUNKS.c.document_id == document_id).values(version=number)
            )
