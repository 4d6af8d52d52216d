"""departments directory

Revision ID: 7a1c3e5d9b20
Revises: 2c0084c569c7
Create Date: 2026-11-25 11:10:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "7a1c3e5d9b20"
down_revision: str | None = "2c0084c569c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    departments = op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    # The directory starts from the departments people have typed (one spelling each; the
    # curator merges the near-duplicates afterwards in /departments).
    typed = op.get_bind().execute(
        sa.text("SELECT DISTINCT department FROM participants WHERE department IS NOT NULL")
    )
    seen: dict[str, str] = {}
    for (name,) in typed:
        cleaned = " ".join(str(name).split())
        key = cleaned.casefold().replace("ё", "е")
        if cleaned and key not in seen:
            seen[key] = cleaned
    if seen:
        now = datetime.now(UTC)
        op.bulk_insert(departments, [{"name": n, "created_at": now} for n in seen.values()])


def downgrade() -> None:
    op.drop_table("departments")
