"""pairs programmes activities requests journal surveys

Revision ID: f81f90b96234
Revises: 97fe1bd44b7b
Create Date: 2026-11-25 00:12:25.540370
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "f81f90b96234"
down_revision: str | None = "97fe1bd44b7b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "pairing_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["participants.id"],
            name=op.f("fk_pairing_exclusions_mentee_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["participants.id"],
            name=op.f("fk_pairing_exclusions_mentor_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_exclusions")),
        sa.UniqueConstraint("mentor_id", "mentee_id", name=op.f("uq_pairing_exclusions_mentor_id")),
    )
    op.create_table(
        "pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column(
            "pair_type",
            sa.Enum(
                "teacher_teacher",
                "head_teacher",
                "teacher_young",
                name="pairtype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "declined",
                "accepted",
                "active",
                "closed",
                name="pairstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("proposed_by", sa.BigInteger(), nullable=False),
        sa.Column("mentor_accepted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mentor_declined_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mentor_decline_reason", sa.Text(), nullable=True),
        sa.Column("order_number", sa.String(length=50), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("approved_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pending_mentor_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
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
            ["mentor_id"], ["participants.id"], name=op.f("fk_pairs_mentor_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["pending_mentor_id"],
            ["participants.id"],
            name=op.f("fk_pairs_pending_mentor_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairs")),
    )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairs_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairs_status"), ["status"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("next_assignment", sa.Text(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["participants.id"], name=op.f("fk_meetings_author_id_participants")
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_meetings_pair_id_pairs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "pair_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("accepted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declined_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("left_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mentee_id"], ["participants.id"], name=op.f("fk_pair_members_mentee_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"],
            ["pairs.id"],
            name=op.f("fk_pair_members_pair_id_pairs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_members")),
        sa.UniqueConstraint("pair_id", "mentee_id", name=op.f("uq_pair_members_pair_id")),
    )
    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_members_mentee_id"), ["mentee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pair_members_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "pair_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("question", "proposal", name="messagekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["participants.id"], name=op.f("fk_pair_messages_author_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["pair_id"], ["pairs.id"], name=op.f("fk_pair_messages_pair_id_pairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pair_messages")),
    )
    with op.batch_alter_table("pair_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pair_messages_pair_id"), ["pair_id"], unique=False)

    op.create_table(
        "programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("difficulties", sa.Text(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "agreed",
                "approved",
                "completed",
                "ended_early",
                name="programmestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("agreed_by", sa.JSON(), nullable=False),
        sa.Column("mentee_comment", sa.Text(), nullable=True),
        sa.Column("curator_comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("approved_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completion_votes", sa.JSON(), nullable=False),
        sa.Column(
            "end_reason",
            sa.Enum(
                "plan_done",
                "by_participant",
                "by_curator",
                name="endreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("end_comment", sa.Text(), nullable=True),
        sa.Column("ended_by", sa.BigInteger(), nullable=True),
        sa.Column("ended_at", models.base.UTCDateTime(timezone=True), nullable=True),
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
            ["pair_id"], ["pairs.id"], name=op.f("fk_programmes_pair_id_pairs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
        sa.UniqueConstraint("pair_id", name=op.f("uq_programmes_pair_id")),
    )
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programmes_status"), ["status"], unique=False)

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column(
            "responsible",
            sa.Enum("mentee", "mentor", "both", name="responsible", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "reported",
                "confirmed",
                "returned",
                name="activitystatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("report_comment", sa.Text(), nullable=True),
        sa.Column("evidence_file_id", sa.String(length=255), nullable=True),
        sa.Column("evidence_kind", sa.String(length=16), nullable=True),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("reported_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("reviewed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_activities_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["participants.id"],
            name=op.f("fk_activities_reported_by_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_deadline"), ["deadline"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activities_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activities_status"), ["status"], unique=False)

    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_survey_answers_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_survey_answers_programme_id_programmes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answers")),
        sa.UniqueConstraint(
            "programme_id", "participant_id", name=op.f("uq_survey_answers_programme_id")
        ),
    )
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answers_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "replacement",
                "release",
                "deadline",
                "extension",
                "early_end",
                name="requestkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_partner",
                "pending",
                "approved",
                "rejected",
                "withdrawn",
                name="requeststatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("new_date", sa.Date(), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("partner_answered_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
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
            ["activity_id"], ["activities.id"], name=op.f("fk_requests_activity_id_activities")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["participants.id"], name=op.f("fk_requests_author_id_participants")
        ),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name=op.f("fk_requests_pair_id_pairs")),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["participants.id"], name=op.f("fk_requests_partner_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requests_pair_id"), ["pair_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_status"), ["status"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requests_status"))
        batch_op.drop_index(batch_op.f("ix_requests_pair_id"))

    op.drop_table("requests")
    with op.batch_alter_table("survey_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answers_programme_id"))

    op.drop_table("survey_answers")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_status"))
        batch_op.drop_index(batch_op.f("ix_activities_programme_id"))
        batch_op.drop_index(batch_op.f("ix_activities_deadline"))

    op.drop_table("activities")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programmes_status"))

    op.drop_table("programmes")
    with op.batch_alter_table("pair_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_messages_pair_id"))

    op.drop_table("pair_messages")
    with op.batch_alter_table("pair_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pair_members_pair_id"))
        batch_op.drop_index(batch_op.f("ix_pair_members_mentee_id"))

    op.drop_table("pair_members")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_pair_id"))

    op.drop_table("meetings")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairs_status"))
        batch_op.drop_index(batch_op.f("ix_pairs_mentor_id"))

    op.drop_table("pairs")
    op.drop_table("pairing_exclusions")
