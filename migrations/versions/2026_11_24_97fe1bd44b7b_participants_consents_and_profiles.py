"""participants consents and profiles

Revision ID: 97fe1bd44b7b
Revises:
Create Date: 2026-11-24 23:48:04.676865
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "97fe1bd44b7b"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "declined",
                "registering",
                "active",
                "withdrawn",
                name="participantstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "staff_role",
            sa.Enum("curator", "director", name="staffrole", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("full_name", sa.String(length=150), nullable=True),
        sa.Column("position", sa.String(length=150), nullable=True),
        sa.Column("department", sa.String(length=150), nullable=True),
        sa.Column("subjects", sa.Text(), nullable=True),
        sa.Column("experience_years", sa.Integer(), nullable=True),
        sa.Column(
            "qualification",
            sa.Enum(
                "none",
                "position_match",
                "first",
                "highest",
                name="qualification",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("registered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_participants_telegram_id")),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("personal_data", "mentoring", name="consentkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("given_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_consents_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consents_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "mentee_profiles",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("difficulties", sa.JSON(), nullable=False),
        sa.Column("difficulties_other", sa.Text(), nullable=True),
        sa.Column("learning_goals", sa.Text(), nullable=False),
        sa.Column("mentee_forms", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_mentee_profiles_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_mentee_profiles")),
    )
    op.create_table(
        "mentor_profiles",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("competences", sa.Text(), nullable=False),
        sa.Column("mentor_subjects", sa.Text(), nullable=False),
        sa.Column("mentor_forms", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "candidate",
                "accepted",
                "rejected",
                name="mentorstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_mentor_profiles_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_mentor_profiles")),
    )
    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentor_profiles_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("mentor_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentor_profiles_status"))

    op.drop_table("mentor_profiles")
    op.drop_table("mentee_profiles")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_participant_id"))

    op.drop_table("consents")
    op.drop_table("participants")
