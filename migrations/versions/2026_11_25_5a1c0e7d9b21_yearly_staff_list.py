"""yearly staff list (§6.4.2) and personal invitation links without a preset role

Revision ID: 5a1c0e7d9b21
Revises: a30f557a3c6f
Create Date: 2026-11-25 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "5a1c0e7d9b21"
down_revision: str | None = "a30f557a3c6f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = sa.Enum("mentee", "mentor", "both", name="role", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "staff_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("surname", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("patronymic", sa.String(length=50), nullable=False),
        sa.Column("position", sa.String(length=150), nullable=False),
        sa.Column("department", sa.String(length=150), nullable=False),
        sa.Column("hire_date", sa.Date(), nullable=True),
        sa.Column("young_specialist", sa.Boolean(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("must_mentor", sa.Boolean(), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["invites.id"],
            name=op.f("fk_staff_list_invite_id_invites"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_staff_list_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_list")),
        sa.UniqueConstraint("key", name=op.f("uq_staff_list_key")),
    )
    op.create_index(
        op.f("ix_staff_list_participant_id"), "staff_list", ["participant_id"], unique=False
    )
    op.create_table(
        "staff_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.Column("applied_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_imports")),
    )
    with op.batch_alter_table("invites") as batch_op:
        batch_op.alter_column("role", existing_type=ROLE, nullable=True)


def downgrade() -> None:
    op.drop_table("staff_imports")
    op.drop_index(op.f("ix_staff_list_participant_id"), table_name="staff_list")
    op.drop_table("staff_list")
    op.execute("DELETE FROM invites WHERE role IS NULL")
    with op.batch_alter_table("invites") as batch_op:
        batch_op.alter_column("role", existing_type=ROLE, nullable=False)
