"""bank keeping: archive and yearly inclusion

Revision ID: b936c39572a7
Revises: 0f3c748453d9
Create Date: 2026-11-25 01:16:16.096587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "b936c39572a7"
down_revision: str | None = "0f3c748453d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archived_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("include_year", sa.Integer(), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("include_year")
        batch_op.drop_column("archived_at")
