"""identity linking: blocking keys, source records, sync checkpoints, merge journal

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blocking_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "key", name="uq_blocking_key_customer_key"),
    )
    with op.batch_alter_table("blocking_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blocking_key_customer_id"), ["customer_id"])
        batch_op.create_index(batch_op.f("ix_blocking_key_key"), ["key"])

    op.create_table(
        "source_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("system", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("observed_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system", "external_id", name="uq_source_record_identity"),
    )
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_record_customer_id"), ["customer_id"])

    op.create_table(
        "sync_checkpoint",
        sa.Column("system", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("changed_since", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("system"),
    )

    op.create_table(
        "merge_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("merged_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("merged_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("merged_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("undone_at", app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("merge_journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_journal_survivor_id"), ["survivor_id"])
        batch_op.create_index(batch_op.f("ix_merge_journal_merged_id"), ["merged_id"])


def downgrade() -> None:
    op.drop_table("merge_journal")
    op.drop_table("sync_checkpoint")
    op.drop_table("source_record")
    op.drop_table("blocking_key")
