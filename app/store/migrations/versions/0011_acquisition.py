"""acquisition: where each customer came from, what acquiring cost, and their rollups

`acquisition` holds one record per customer; `acquisition_movement` (acquired, lost and the
acquired customers' value sums per day and per month, channel and campaign) and
`acquisition_retention` (lost per acquisition month and month lost) are what businessMetrics
and retentionCohorts read; `acquisition_spend` is the spend ledger.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "acquisition",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("acquired_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", _text(64), nullable=True),
        sa.Column("campaign", _text(128), nullable=True),
        sa.Column("system", _text(64), nullable=False),
        sa.Column("lost_at", app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("order_count", sa.Float(), nullable=True),
        sa.Column("clv_historical", sa.Float(), nullable=True),
        sa.Column("clv_predicted", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "acquisition_movement",
        sa.Column("grain", _text(1), nullable=False),
        sa.Column("period", _text(10), nullable=False),
        sa.Column("channel", _text(64), nullable=False),
        sa.Column("campaign", _text(128), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("acquired", "lost", "buyers", "repeat_buyers", "with_clv")
        ),
        sa.Column("clv_sum", sa.Float(), nullable=False),
        sa.Column("with_revenue", sa.Integer(), nullable=False),
        sa.Column("revenue_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("grain", "period", "channel", "campaign"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "acquisition_retention",
        sa.Column("cohort", _text(7), nullable=False),
        sa.Column("lost_month", _text(7), nullable=False),
        sa.Column("lost", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cohort", "lost_month"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "acquisition_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("channel", _text(64), nullable=True),
        sa.Column("campaign", _text(128), nullable=True),
        sa.Column("category", _text(32), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("original_amount", sa.Float(), nullable=False),
        sa.Column("currency", _text(3), nullable=False),
        sa.Column("source", _text(64), nullable=False),
        sa.Column("recorded_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_acquisition_spend_period", "acquisition_spend", ["period_start", "period_end"]
    )


def downgrade() -> None:
    op.drop_index("ix_acquisition_spend_period", table_name="acquisition_spend")
    op.drop_table("acquisition_spend")
    op.drop_table("acquisition_retention")
    op.drop_table("acquisition_movement")
    op.drop_table("acquisition")
