"""the methodical library (§6.4.6): materials with tags and an audience, attachable to events

Revision ID: e6f9a3b4c5d2
Revises: d5e8f2a3c4b1
Create Date: 2026-11-25 13:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "e6f9a3b4c5d2"
down_revision: str | None = "d5e8f2a3c4b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "everyone",
                "mentors",
                "mentees",
                name="materialaudience",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["roadmap_events.id"],
            name=op.f("fk_materials_event_id_roadmap_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["participants.id"],
            name=op.f("fk_materials_author_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
    )
    op.create_index(op.f("ix_materials_event_id"), "materials", ["event_id"])
    op.create_index(op.f("ix_materials_author_id"), "materials", ["author_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_materials_author_id"), table_name="materials")
    op.drop_index(op.f("ix_materials_event_id"), table_name="materials")
    op.drop_table("materials")
