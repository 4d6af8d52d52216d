"""activities by status and deadline

Revision ID: 2c0084c569c7
Revises: 4425393a2007
Create Date: 2026-11-25 01:38:19.396082
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2c0084c569c7"
down_revision: str | None = "4425393a2007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_status_deadline", ["status", "deadline"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_status_deadline")
