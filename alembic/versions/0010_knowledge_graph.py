"""knowledge graph: aliases, communities, offsets and evidence; the graph stage of documents

Entities get their aliases, community number and mention count (and the name index); relations
their evidence sentence and chunk; mentions their character offsets (and a chunk index, to say
why a chunk came). New tables: community titles and summaries per KB, the graph stage of each
document version, and each chunk's extraction result (a retry skips finished chunks).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sqlmodel.sql.sqltypes.AutoString(length=36)
_WHEN = sqlmodel.sql.sqltypes.UTCDateTime()


def upgrade() -> None:
    with op.batch_alter_table("graph_entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aliases", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("community", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("mention_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_graph_entities_name", ["name"])
    with op.batch_alter_table("graph_relations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("chunk_id", _ID, nullable=False, server_default=""))
    with op.batch_alter_table("graph_mentions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("char_start", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("char_end", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_graph_mentions_chunk_id", ["chunk_id"])
    op.create_table(
        "graph_communities",
        sa.Column("kb_id", _ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("kb_id", "number"),
    )
    op.create_table(
        "graph_extractions",
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("kb_id", _ID, nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("chunks_total", sa.Integer(), nullable=False),
        sa.Column("chunks_done", sa.Integer(), nullable=False),
        sa.Column("chunks_failed", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("eta_seconds", sa.Float(), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("started_at", _WHEN, nullable=True),
        sa.Column("finished_at", _WHEN, nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index("ix_graph_extractions_kb_id", "graph_extractions", ["kb_id"])
    op.create_table(
        "graph_chunk_results",
        sa.Column("chunk_id", _ID, nullable=False),
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("kb_id", _ID, nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("chunk_id"),
    )
    op.create_index("ix_graph_chunk_results_document_id", "graph_chunk_results", ["document_id"])


def downgrade() -> None:
    op.drop_table("graph_chunk_results")
    op.drop_table("graph_extractions")
    op.drop_table("graph_communities")
    with op.batch_alter_table("graph_mentions", schema=None) as batch_op:
        batch_op.drop_index("ix_graph_mentions_chunk_id")
        batch_op.drop_column("char_end")
        batch_op.drop_column("char_start")
    with op.batch_alter_table("graph_relations", schema=None) as batch_op:
        batch_op.drop_column("chunk_id")
        batch_op.drop_column("evidence")
    with op.batch_alter_table("graph_entities", schema=None) as batch_op:
        batch_op.drop_index("ix_graph_entities_name")
        batch_op.drop_column("mention_count")
        batch_op.drop_column("community")
        batch_op.drop_column("aliases")
