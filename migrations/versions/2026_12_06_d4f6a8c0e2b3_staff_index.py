"""a partial index on the staff: the sweep and every delivery round read the curators

Revision ID: d4f6a8c0e2b3
Revises: b7d2e4f6a8c1
Create Date: 2026-12-06 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4f6a8c0e2b3"
down_revision: str | None = "b7d2e4f6a8c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain CREATE INDEX (no batch mode: nothing of the table is copied)
    op.create_index(
        "ix_participants_staff",
        "participants",
        ["staff_role"],
        unique=False,
        sqlite_where=sa.text("staff_role IS NOT NULL"),
        postgresql_where=sa.text("staff_role IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_participants_staff", table_name="participants")
