"""update attempts: a persistent try counter for updates that kill the process

Revision ID: d4e5f6a7b8c9
Revises: c0a51e7e0bd1
Create Date: 2026-11-25 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c0a51e7e0bd1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "update_attempts",
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("tried_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_update_attempts")),
    )


def downgrade() -> None:
    op.drop_table("update_attempts")
