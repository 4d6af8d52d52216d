"""best cases

Revision ID: e858bc285fea
Revises: b936c39572a7
Create Date: 2026-11-25 01:18:56.951719
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e858bc285fea"
down_revision: str | None = "b936c39572a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("best_case", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_column("best_case")
