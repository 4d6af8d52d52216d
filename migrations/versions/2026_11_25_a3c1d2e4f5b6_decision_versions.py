"""decision versions and notices: a version column on pairs, requests, programmes and mentor
profiles; the outbox payload of a notice rendered at delivery

Revision ID: a3c1d2e4f5b6
Revises: 5e1a7c3d9b20
Create Date: 2026-11-25 10:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c1d2e4f5b6"
down_revision: str | None = "5e1a7c3d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("pairs", "requests", "programmes", "mentor_profiles")


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): SQLite adds and drops columns in place, and a copied
    # table would lose the reminder triggers on pairs and programmes.
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("outbox", sa.Column("payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table, column in [("outbox", "payload"), *((t, "version") for t in TABLES)]:
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
