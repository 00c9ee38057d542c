"""drafting: templates, drafts, members, sections, versions, comments

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:22:44.603603
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_templates",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("answer_length", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("tone", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("built_in", sa.Boolean(), nullable=False),
        sa.Column("kb_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("draft_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_templates_kb_id"), ["kb_id"], unique=False)

    op.create_table(
        "draft_template_versions",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("template_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["draft_templates.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("template_id", "version", name="uq_template_versions"),
    )
    with op.batch_alter_table("draft_template_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_draft_template_versions_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "drafts",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("template_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("kb_ids", sa.JSON(), nullable=False),
        sa.Column("source_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("answer_length", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("tone", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("questionnaire", sa.JSON(), nullable=False),
        sa.Column("generation", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_drafts_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "draft_members",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("draft_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "user_id", name="uq_draft_members"),
    )
    with op.batch_alter_table("draft_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_members_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_draft_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "draft_sections",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("draft_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("group", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("generation_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("eta_seconds", sa.Float(), nullable=True),
        sa.Column("generation_error", sa.Text(), nullable=True),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.Column("lock_user_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("lock_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_sections_draft_id"), ["draft_id"], unique=False)

    op.create_table(
        "draft_comments",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("draft_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("section_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["draft_sections.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_comments_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_draft_comments_section_id"), ["section_id"], unique=False
        )

    op.create_table(
        "draft_section_versions",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("draft_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("section_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["drafts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["draft_sections.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_section_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_draft_section_versions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_draft_section_versions_draft_id"), ["draft_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_draft_section_versions_section_id"), ["section_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("draft_section_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_section_versions_section_id"))
        batch_op.drop_index(batch_op.f("ix_draft_section_versions_draft_id"))
        batch_op.drop_index(batch_op.f("ix_draft_section_versions_created_at"))

    op.drop_table("draft_section_versions")
    with op.batch_alter_table("draft_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_comments_section_id"))
        batch_op.drop_index(batch_op.f("ix_draft_comments_draft_id"))

    op.drop_table("draft_comments")
    with op.batch_alter_table("draft_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_sections_draft_id"))

    op.drop_table("draft_sections")
    with op.batch_alter_table("draft_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_draft_members_draft_id"))

    op.drop_table("draft_members")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_updated_at"))
        batch_op.drop_index(batch_op.f("ix_drafts_owner_id"))

    op.drop_table("drafts")
    with op.batch_alter_table("draft_template_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_template_versions_template_id"))

    op.drop_table("draft_template_versions")
    with op.batch_alter_table("draft_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_templates_kb_id"))

    op.drop_table("draft_templates")
