"""model registry

The `models` table lists every model the deployment may call; KB settings name registry ids.
Seeded once, here: the built-in embedder (id "default", the id KB settings already use), the
chat model of LLM_MODEL (with LITELLM_URL, and LITELLM_API_KEY named as its key variable) as the
default, and one entry per other model string that existing KB settings name, which are
rewritten to that entry's id (with the same URL and key those KBs were called with).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUILTIN = "default"  # domain.models.BUILTIN_EMBEDDER_ID and BUILTIN_EMBEDDER_MODEL
MODELS = sa.table(
    "models",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("name", sa.String),
    sa.column("litellm_model", sa.String),
    sa.column("base_url", sa.String),
    sa.column("api_key_env", sa.String),
    sa.column("is_default", sa.Boolean),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)
KBS = sa.table("knowledge_bases", sa.column("id", sa.String), sa.column("settings", sa.JSON))


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("litellm_model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("base_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("api_key_env", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("context_window", sa.Integer(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_models_kind"), ["kind"], unique=False)
    op.create_index(
        "uq_models_default_per_kind",
        "models",
        ["kind"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    _seed(op.get_bind())


def _seed(connection: sa.Connection) -> None:
    from lumikb_app.settings import get_settings  # the environment the KBs were called with

    settings = get_settings()
    reach = {
        "base_url": settings.LITELLM_URL,
        "api_key_env": "LITELLM_API_KEY" if settings.LITELLM_API_KEY else None,
    }
    rows = [_row("embedding", BUILTIN, model_id=BUILTIN, name="MiniLM (built in, offline)")]
    if settings.LLM_MODEL:
        rows.append(_row("chat", settings.LLM_MODEL, **reach))
    known = {(row["kind"], row["litellm_model"]): row["id"] for row in rows}
    for kb_id, kb_settings in connection.execute(sa.select(KBS.c.id, KBS.c.settings)).all():
        adopted = dict(kb_settings or {})
        for field, kind in (("chat_model", "chat"), ("embedding_model", "embedding")):
            named = str(adopted.get(field) or "").strip()
            if named and (kind, named) not in known:
                rows.append(_row(kind, named, is_default=False, **reach))
                known[(kind, named)] = rows[-1]["id"]
            if named:
                adopted[field] = known[(kind, named)]
        if adopted != (kb_settings or {}):
            connection.execute(sa.update(KBS).where(KBS.c.id == kb_id).values(settings=adopted))
    op.bulk_insert(MODELS, rows)


def _row(kind: str, model: str, *, model_id: str = "", name: str = "", **values: Any) -> dict:
    now = datetime.now(UTC)
    return {
        "id": model_id or str(uuid4()),
        "kind": kind,
        "name": (name or model)[:120],
        "litellm_model": model,
        "base_url": None,
        "api_key_env": None,
        "is_default": True,
        "created_at": now,
        "updated_at": now,
        **values,
    }


def downgrade() -> None:
    connection = op.get_bind()
    strings = dict(connection.execute(sa.select(MODELS.c.id, MODELS.c.litellm_model)).all())
    for kb_id, kb_settings in connection.execute(sa.select(KBS.c.id, KBS.c.settings)).all():
        named = dict(kb_settings or {})
        for field in ("chat_model", "embedding_model"):
            if named.get(field) in strings:
                named[field] = strings[named[field]]
        if named != (kb_settings or {}):
            connection.execute(sa.update(KBS).where(KBS.c.id == kb_id).values(settings=named))
    op.drop_index("uq_models_default_per_kind", table_name="models")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_models_kind"))
    op.drop_table("models")
