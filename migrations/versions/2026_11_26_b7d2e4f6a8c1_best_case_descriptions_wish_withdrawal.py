"""best practices' descriptions approved by the curator (§6.4.6); a mentee withdraws a wish

The free-text descriptions kept as site items of kind «case» move into the new table as
approved descriptions (their text becomes «what was done», the programme's goal the goal).

Revision ID: b7d2e4f6a8c1
Revises: c0e3e5a7b9d1
Create Date: 2026-11-26 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "b7d2e4f6a8c1"
down_revision: str | None = "c0e3e5a7b9d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_descriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=False),
        sa.Column("lessons", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "returned",
                name="casestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("written_by", sa.BigInteger(), nullable=False),
        sa.Column("written_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_case_descriptions_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["participants.id"],
            name=op.f("fk_case_descriptions_author_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_descriptions")),
        sa.UniqueConstraint("programme_id", name=op.f("uq_case_descriptions_programme_id")),
    )
    op.create_index(
        op.f("ix_case_descriptions_author_id"), "case_descriptions", ["author_id"], unique=False
    )
    op.execute(
        "INSERT INTO case_descriptions (programme_id, goal, done, results, lessons, status, "
        "written_by, written_at, decided_by, decided_at, version) "
        "SELECT s.programme_id, p.goal, s.body, '', '', 'approved', s.author_telegram_id, "
        "s.created_at, s.author_telegram_id, s.created_at, 1 "
        "FROM site_items s JOIN programmes p ON p.id = s.programme_id "
        "WHERE s.kind = 'case' AND s.programme_id IS NOT NULL"
    )
    op.execute("DELETE FROM site_items WHERE kind = 'case'")
    with op.batch_alter_table("mentor_wishes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawn_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("mentor_wishes", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
    op.execute(
        "INSERT INTO site_items (kind, title, body, programme_id, author_telegram_id, "
        "created_at) "
        "SELECT 'case', '', c.done, c.programme_id, c.written_by, c.written_at "
        "FROM case_descriptions c WHERE c.status = 'approved'"
    )
    op.drop_index(op.f("ix_case_descriptions_author_id"), table_name="case_descriptions")
    op.drop_table("case_descriptions")
