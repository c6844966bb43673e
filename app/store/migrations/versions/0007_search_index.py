"""search index: the keys free-text customer search looks up

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_key",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_id", "kind", "key"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_key_lookup", "search_key", ["kind", "key", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_search_key_lookup", table_name="search_key")
    op.drop_table("search_key")
