"""co-mentors of a pair (§7.1.1); the answer to a mentor's proposal (§7.2.6, §7.2.7)

Revision ID: c0e3e5a7b9d1
Revises: a9c3e5f7b2d1
Create Date: 2026-12-06 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "c0e3e5a7b9d1"
down_revision: str | None = "a9c3e5f7b2d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "co_mentors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "accepted",
                "declined",
                "ended",
                name="comentorstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("invited_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_co_mentors_pair_id_pairs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_co_mentors_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["participants.id"],
            name=op.f("fk_co_mentors_invited_by_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_mentors")),
    )
    op.create_index(op.f("ix_co_mentors_pair_id"), "co_mentors", ["pair_id"])
    op.create_index(op.f("ix_co_mentors_participant_id"), "co_mentors", ["participant_id"])
    with op.batch_alter_table("mentor_proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "open",
                    "accepted",
                    "declined",
                    name="proposalstatus",
                    native_enum=False,
                    length=32,
                ),
                server_default="open",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("decided_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decision_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("mentor_proposals", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("decision_comment")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("status")
    op.drop_index(op.f("ix_co_mentors_participant_id"), table_name="co_mentors")
    op.drop_index(op.f("ix_co_mentors_pair_id"), table_name="co_mentors")
    op.drop_table("co_mentors")
