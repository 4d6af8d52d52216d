"""replacement orders and a request's old date

Revision ID: c0a51e7e0bd1
Revises: b7d2e9f4a1c8
Create Date: 2026-11-25 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a51e7e0bd1"
down_revision: str | None = "b7d2e9f4a1c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = [
    ("mentor_replacements", sa.Column("order_number", sa.String(length=50), nullable=True)),
    ("mentor_replacements", sa.Column("order_date", sa.Date(), nullable=True)),
    ("requests", sa.Column("old_date", sa.Date(), nullable=True)),
]


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy), as in a3c1d2e4f5b6: triggers on the tables survive.
    for table, column in COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column.name}')
