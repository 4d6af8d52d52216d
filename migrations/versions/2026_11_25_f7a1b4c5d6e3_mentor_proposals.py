"""the mentor's proposals to encourage the mentee or recommend them for a contest (§7.2.6-7)

Revision ID: f7a1b4c5d6e3
Revises: e6f9a3b4c5d2
Create Date: 2026-11-25 13:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "f7a1b4c5d6e3"
down_revision: str | None = "e6f9a3b4c5d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_mentor_proposals_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["participants.id"],
            name=op.f("fk_mentor_proposals_mentor_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["participants.id"],
            name=op.f("fk_mentor_proposals_mentee_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_proposals")),
    )
    op.create_index(op.f("ix_mentor_proposals_pair_id"), "mentor_proposals", ["pair_id"])
    op.create_index(op.f("ix_mentor_proposals_mentee_id"), "mentor_proposals", ["mentee_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mentor_proposals_mentee_id"), table_name="mentor_proposals")
    op.drop_index(op.f("ix_mentor_proposals_pair_id"), table_name="mentor_proposals")
    op.drop_table("mentor_proposals")
