"""the mentee's choice: mentors shown to mentees, the mentees' wishes (§9.1.2, §9.2)

Revision ID: d5e8f2a3c4b1
Revises: c4d7e1a2b3f9
Create Date: 2026-11-25 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "d5e8f2a3c4b1"
down_revision: str | None = "c4d7e1a2b3f9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE: a batch copy of mentor_profiles would lose nothing here, but keep the
    # house rule (triggers live on other tables; see decision_versions).
    op.add_column(
        "mentor_profiles",
        sa.Column("shown_to_mentees", sa.Boolean(), server_default="0", nullable=False),
    )
    op.create_table(
        "mentor_wishes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["participants.id"],
            name=op.f("fk_mentor_wishes_mentee_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["participants.id"],
            name=op.f("fk_mentor_wishes_mentor_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_wishes")),
    )
    op.create_index(op.f("ix_mentor_wishes_mentee_id"), "mentor_wishes", ["mentee_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mentor_wishes_mentee_id"), table_name="mentor_wishes")
    op.drop_table("mentor_wishes")
    op.execute("ALTER TABLE mentor_profiles DROP COLUMN shown_to_mentees")
