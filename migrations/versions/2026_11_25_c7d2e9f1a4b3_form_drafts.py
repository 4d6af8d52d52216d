"""form drafts: the FSM's state and answers in the database when there is no Redis

Revision ID: c7d2e9f1a4b3
Revises: a3c1d2e4f5b6
Create Date: 2026-11-25 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "c7d2e9f1a4b3"
down_revision: str | None = "a3c1d2e4f5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_drafts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_form_drafts")),
    )
    op.create_index(op.f("ix_form_drafts_user_id"), "form_drafts", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_form_drafts_user_id"), table_name="form_drafts")
    op.drop_table("form_drafts")
