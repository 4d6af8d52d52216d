"""groups done right: a newcomer to an approved group joins by their own order; each mentee's
part of an activity (activity_progress), carried over from today's per-activity status; every
partner's agreement to a request (§10.2)

Revision ID: b7d2e9f4a1c8
Revises: 23b7d1a96818
Create Date: 2026-11-25 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "b7d2e9f4a1c8"
down_revision: str | None = "23b7d1a96818"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER_COLUMNS = ("join_requested_at", "joined_at", "order_number", "order_date", "approved_by")


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy), as in the decision-versions revision.
    moment = models.base.UTCDateTime(timezone=True)
    op.add_column("pair_members", sa.Column("join_requested_at", moment, nullable=True))
    op.add_column("pair_members", sa.Column("joined_at", moment, nullable=True))
    op.add_column("pair_members", sa.Column("order_number", sa.String(length=50), nullable=True))
    op.add_column("pair_members", sa.Column("order_date", sa.Date(), nullable=True))
    op.add_column("pair_members", sa.Column("approved_by", sa.BigInteger(), nullable=True))
    op.add_column(
        "requests",
        sa.Column("partner_agreed", sa.JSON(), server_default="[]", nullable=False),
    )
    op.create_table(
        "activity_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
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
        sa.Column("reported_at", moment, nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", moment, nullable=True),
        sa.Column("confirmed_at", moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_progress_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["participants.id"],
            name=op.f("fk_activity_progress_mentee_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["participants.id"],
            name=op.f("fk_activity_progress_reported_by_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["participants.id"],
            name=op.f("fk_activity_progress_reviewed_by_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_progress")),
        sa.UniqueConstraint(
            "activity_id", "mentee_id", name=op.f("uq_activity_progress_activity_id")
        ),
    )
    op.create_index(op.f("ix_activity_progress_activity_id"), "activity_progress", ["activity_id"])
    op.create_index(op.f("ix_activity_progress_mentee_id"), "activity_progress", ["mentee_id"])
    # Today's shared status becomes every member's part (one part in a pair): nothing reported,
    # confirmed or returned is lost, and a group's activity stays as it was for everyone.
    op.execute(
        """
        INSERT INTO activity_progress (activity_id, mentee_id, status, report_comment,
            evidence_file_id, evidence_kind, reported_by, reported_at, review_comment,
            reviewed_by, reviewed_at, confirmed_at)
        SELECT a.id, m.mentee_id, a.status, a.report_comment, a.evidence_file_id,
            a.evidence_kind, a.reported_by, a.reported_at, a.review_comment,
            CASE WHEN a.reviewed_at IS NOT NULL THEN p.mentor_id END, a.reviewed_at,
            a.confirmed_at
        FROM activities a
        JOIN programmes g ON g.id = a.programme_id
        JOIN pairs p ON p.id = g.pair_id
        JOIN pair_members m ON m.pair_id = p.id
        WHERE a.status <> 'planned' AND m.declined_at IS NULL
        """
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_activity_progress_mentee_id"), table_name="activity_progress")
    op.drop_index(op.f("ix_activity_progress_activity_id"), table_name="activity_progress")
    op.drop_table("activity_progress")
    op.execute('ALTER TABLE "requests" DROP COLUMN partner_agreed')
    for column in reversed(MEMBER_COLUMNS):
        op.execute(f'ALTER TABLE "pair_members" DROP COLUMN {column}')
