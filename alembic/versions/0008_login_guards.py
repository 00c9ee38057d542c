"""login guards: one step to count and record a failed sign-in; refused attempts recorded

`login_guards` holds the row each sign-in attempt locks for its account and its address, so
parallel guesses cannot record more failures than the limit, and when an admin's unlock lifted
an address's block. `login_attempts.refused` marks an attempt answered "locked" without checking
the password (existing rows were all checked: false).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_guards",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("reset_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refused", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM login_attempts WHERE refused"))
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_column("refused")
    op.drop_table("login_guards")
