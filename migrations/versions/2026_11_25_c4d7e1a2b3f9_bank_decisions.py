"""bank decisions: the director approves or returns the bank entries (§6.3.3)

Revision ID: c4d7e1a2b3f9
Revises: c7d2e9f1a4b3
Create Date: 2026-11-25 13:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "c4d7e1a2b3f9"
down_revision: str | None = "c7d2e9f1a4b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=False),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resubmitted_by", sa.BigInteger(), nullable=True),
        sa.Column("resubmitted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_bank_decisions_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_decisions")),
        sa.UniqueConstraint(
            "participant_id", "role", "round", name=op.f("uq_bank_decisions_participant_id")
        ),
    )
    op.create_index(op.f("ix_bank_decisions_participant_id"), "bank_decisions", ["participant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bank_decisions_participant_id"), table_name="bank_decisions")
    op.drop_table("bank_decisions")
