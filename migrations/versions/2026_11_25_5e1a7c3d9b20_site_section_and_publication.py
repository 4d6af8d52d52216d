"""site section items, broadcasts published on purpose

Revision ID: 5e1a7c3d9b20
Revises: 7e4b2f0a6c13
Create Date: 2026-11-25 10:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "5e1a7c3d9b20"
down_revision: str | None = "7e4b2f0a6c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "news",
                "announcement",
                "legal",
                "method",
                "case",
                name="sitekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("author_telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id"),
    )
    with op.batch_alter_table("site_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_items_kind"), ["kind"], unique=False)
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("published")
    with op.batch_alter_table("site_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_items_kind"))
    op.drop_table("site_items")
