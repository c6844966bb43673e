"""metric events: current values, RFM population, processed webhook events, unmatched respondents

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.store.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("metric_observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_metric_observation_name_customer",
            ["name", "customer_id", "observed_at"],
            unique=False,
        )
    op.create_table(
        "metric_current",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("observed_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id", "name"),
    )
    with op.batch_alter_table("metric_current", schema=None) as batch_op:
        batch_op.create_index("ix_metric_current_name_value", ["name", "value"], unique=False)
    # Existing history: its latest row per customer and metric becomes the current value.
    op.execute(
        """
        INSERT INTO metric_current (customer_id, name, value, observed_at, method, details)
        SELECT customer_id, name, value, observed_at, method, details FROM (
            SELECT customer_id, name, value, observed_at, method, details,
                   row_number() OVER (
                       PARTITION BY customer_id, name ORDER BY observed_at DESC, id DESC
                   ) AS rank
            FROM metric_observation
        ) AS ranked
        WHERE rank = 1
        """
    )
    op.create_table(
        "metric_population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("computed_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("metric_population", schema=None) as batch_op:
        batch_op.create_index(
            "ix_metric_population_name_time", ["name", "computed_at"], unique=False
        )
    op.create_table(
        "webhook_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("received_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system", "event_id", name="uq_webhook_event_id"),
    )
    op.create_table(
        "unmatched_respondent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("received_at", app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unmatched_respondent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unmatched_respondent_queue", ["status", "received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("unmatched_respondent", schema=None) as batch_op:
        batch_op.drop_index("ix_unmatched_respondent_queue")
    op.drop_table("unmatched_respondent")
    op.drop_table("webhook_event")
    with op.batch_alter_table("metric_population", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_population_name_time")
    op.drop_table("metric_population")
    with op.batch_alter_table("metric_current", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_current_name_value")
    op.drop_table("metric_current")
    with op.batch_alter_table("metric_observation", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_observation_name_customer")
