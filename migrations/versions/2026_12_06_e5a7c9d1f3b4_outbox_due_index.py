"""indexes on the outbox's pending rows: each delivery round (every two seconds) claims the
rows due by now, oldest first, and each chosen chat's first rows in queue order, without walking
every message ever sent (they replace the indexes on chat_id and on not_before alone: the latter
also holds every sent row, and PostgreSQL chose it for the claim, walking them all)

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
    # plain CREATE and DROP INDEX (no batch mode: nothing of the table is copied)
    op.create_index("ix_outbox_due", "outbox", ["status", "not_before", "id"], unique=False)
    op.create_index("ix_outbox_chat", "outbox", ["chat_id", "status", "id"], unique=False)
    op.drop_index("ix_outbox_chat_id", table_name="outbox")
    op.drop_index("ix_outbox_not_before", table_name="outbox")


def downgrade() -> None:
    op.create_index("ix_outbox_not_before", "outbox", ["not_before"], unique=False)
    op.create_index("ix_outbox_chat_id", "outbox", ["chat_id"], unique=False)
    op.drop_index("ix_outbox_chat", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
