"""customer list order: (merged_into, created_at | updated_at, id) indexes for keyset pages

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customer_live_created_at", "customer", ["merged_into", "created_at", "id"])
    op.create_index("ix_customer_live_updated_at", "customer", ["merged_into", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_customer_live_updated_at", table_name="customer")
    op.drop_index("ix_customer_live_created_at", table_name="customer")
