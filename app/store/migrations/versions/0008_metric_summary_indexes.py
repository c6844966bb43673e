"""metric summary indexes: covering indexes for metricSummary grouped by customer attributes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_metric_current_name_customer", "metric_current", ["name", "customer_id", "value"]
    )
    op.create_index(
        "ix_customer_summary", "customer", ["id", "merged_into", "segment", "lifecycle_stage"]
    )
    op.create_index(
        "ix_contact_point_address",
        "contact_point",
        [
            "customer_id",
            "kind",
            sa.column("is_primary").desc(),
            "id",
            "region",
            "country",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_contact_point_address", table_name="contact_point")
    op.drop_index("ix_customer_summary", table_name="customer")
    op.drop_index("ix_metric_current_name_customer", table_name="metric_current")
