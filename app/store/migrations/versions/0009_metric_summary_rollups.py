"""metric summary rollups: the customer's groups beside each current value, and metric_period

Summaries by segment, stage, region or channel read one covering index of metric_current
instead of joining customers; by month or quarter they read metric_period (each customer's
last observation per period) instead of ranking the history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DIMENSIONS = {
    "segment": ("ix_metric_current_segment", 64),
    "lifecycle_stage": ("ix_metric_current_stage", 16),
    "region": ("ix_metric_current_region", 128),
    "channel": ("ix_metric_current_channel", 16),
}
# The channel priority of app.metrics.markers at the time of this revision.
_CHANNELS = ("email", "push", "sms", "phone", "post")


def _period_sql(grain: str, dialect: str) -> str:
    if dialect == "sqlite":
        if grain == "month":
            return "strftime('%Y-%m', observed_at)"
        return (
            "strftime('%Y', observed_at) || '-Q' || "
            "((CAST(strftime('%m', observed_at) AS INTEGER) + 2) / 3)"
        )
    utc = "(observed_at AT TIME ZONE 'UTC')"
    return f"to_char({utc}, 'YYYY-MM')" if grain == "month" else f"to_char({utc}, 'YYYY-\"Q\"Q')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_customer_summary", table_name="customer")
    op.drop_index("ix_metric_current_name_customer", table_name="metric_current")
    for column, (index, length) in _DIMENSIONS.items():
        op.add_column(
            "metric_current",
            sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True),
        )
        op.create_index(
            index, "metric_current", ["name", column, "value", "observed_at", "customer_id"]
        )
    op.drop_index("ix_metric_current_name_value", table_name="metric_current")
    op.create_index(
        "ix_metric_current_name_value", "metric_current", ["name", "value", "customer_id"]
    )
    channel = " ".join(
        f"WHEN CAST(p.channels AS TEXT) LIKE '%\"{name}\"%' THEN '{name}'" for name in _CHANNELS
    )
    op.execute(
        f"""
        UPDATE metric_current SET
            segment = (SELECT c.segment FROM customer c WHERE c.id = metric_current.customer_id),
            lifecycle_stage = (
                SELECT c.lifecycle_stage FROM customer c WHERE c.id = metric_current.customer_id
            ),
            region = (
                SELECT coalesce(a.region, a.country) FROM contact_point a
                WHERE a.customer_id = metric_current.customer_id AND a.kind = 'address'
                ORDER BY a.is_primary DESC, a.id LIMIT 1
            ),
            channel = (
                SELECT CASE {channel} ELSE NULL END FROM preference p
                WHERE p.customer_id = metric_current.customer_id
            )
        """
    )
    op.create_table(
        "metric_period",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("grain", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("observed_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("name", "grain", "period", "customer_id"),
        sqlite_with_rowid=False,
    )
    for grain in ("month", "quarter"):
        period = _period_sql(grain, dialect)
        op.execute(
            f"""
            INSERT INTO metric_period (name, grain, period, customer_id, value, observed_at)
            SELECT name, '{grain}', period, customer_id, value, observed_at FROM (
                SELECT name, customer_id, value, observed_at, {period} AS period,
                       row_number() OVER (
                           PARTITION BY name, customer_id, {period}
                           ORDER BY observed_at DESC, id DESC
                       ) AS rank
                FROM metric_observation
            ) AS ranked
            WHERE rank = 1
            """
        )


def downgrade() -> None:
    op.drop_table("metric_period")
    op.drop_index("ix_metric_current_name_value", table_name="metric_current")
    op.create_index("ix_metric_current_name_value", "metric_current", ["name", "value"])
    for column, (index, _length) in _DIMENSIONS.items():
        op.drop_index(index, table_name="metric_current")
        with op.batch_alter_table("metric_current") as batch_op:
            batch_op.drop_column(column)
    op.create_index(
        "ix_metric_current_name_customer", "metric_current", ["name", "customer_id", "value"]
    )
    op.create_index(
        "ix_customer_summary", "customer", ["id", "merged_into", "segment", "lifecycle_stage"]
    )
