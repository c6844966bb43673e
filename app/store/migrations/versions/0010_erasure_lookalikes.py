"""erasure look-alikes: live customers that held an erased person's identifiers, for stewards

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.store.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_lookalike",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erased_id", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.ForeignKeyConstraint(["erased_id"], ["erasure_request.customer_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("erased_id", "customer_id", name="uq_erasure_lookalike_pair"),
    )
    with op.batch_alter_table("erasure_lookalike", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erasure_lookalike_erased_id"), ["erased_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_erasure_lookalike_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_erasure_lookalike_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("erasure_lookalike", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_lookalike_status"))
        batch_op.drop_index(batch_op.f("ix_erasure_lookalike_customer_id"))
        batch_op.drop_index(batch_op.f("ix_erasure_lookalike_erased_id"))
    op.drop_table("erasure_lookalike")
