"""an index on the outbox's due rows: each delivery round (every two seconds) claims the
pending rows due by now, oldest first, without walking every message ever sent

Revision ID: e5a7c9d1f3b4
Revises: d4f6a8c0e2b3
Create Date: 2026-12-06 22:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e5a7c9d1f3b4"
down_revision: str | None = "d4f6a8c0e2b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain CREATE INDEX (no batch mode: nothing of the table is copied)
    op.create_index("ix_outbox_due", "outbox", ["status", "not_before", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_due", table_name="outbox")
