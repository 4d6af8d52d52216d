"""next notice dates: the reminder sweep reads only what is due

Revision ID: 5d1e0a7c9b42
Revises: 7a1c3e5d9b20
Create Date: 2026-11-25 10:10:00

Each activity and programme gets the (local) date and each pair the moment when the sweep must
look at it next; the sweep advances it in the same transaction as it queues the notices. A
change that can bring a notice earlier (an activity's status or deadline, a programme's status,
end date or approval, a pair's status or approval) clears it in the database itself (triggers),
whatever code made the change, so the sweep looks again at once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d1e0a7c9b42"
down_revision: str | None = "7a1c3e5d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER activities_notice_recheck AFTER UPDATE OF status, deadline ON activities
    BEGIN UPDATE activities SET next_notice_on = NULL WHERE id = NEW.id; END""",
    """CREATE TRIGGER programmes_notice_recheck
    AFTER UPDATE OF status, end_date, approved_at, ended_at ON programmes
    BEGIN
        UPDATE programmes SET next_notice_on = NULL WHERE id = NEW.id;
        UPDATE activities SET next_notice_on = NULL WHERE programme_id = NEW.id;
        UPDATE pairs SET next_notice_at = NULL WHERE id = NEW.pair_id;
    END""",
    """CREATE TRIGGER pairs_notice_recheck AFTER UPDATE OF status, approved_at ON pairs
    BEGIN UPDATE pairs SET next_notice_at = NULL WHERE id = NEW.id; END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION activities_notice_recheck() RETURNS trigger AS $$
    BEGIN NEW.next_notice_on := NULL; RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER activities_notice_recheck BEFORE UPDATE OF status, deadline ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_notice_recheck()""",
    """CREATE FUNCTION programmes_notice_recheck() RETURNS trigger AS $$
    BEGIN
        NEW.next_notice_on := NULL;
        UPDATE activities SET next_notice_on = NULL WHERE programme_id = NEW.id;
        UPDATE pairs SET next_notice_at = NULL WHERE id = NEW.pair_id;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER programmes_notice_recheck
    BEFORE UPDATE OF status, end_date, approved_at, ended_at ON programmes
    FOR EACH ROW EXECUTE FUNCTION programmes_notice_recheck()""",
    """CREATE FUNCTION pairs_notice_recheck() RETURNS trigger AS $$
    BEGIN NEW.next_notice_at := NULL; RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER pairs_notice_recheck BEFORE UPDATE OF status, approved_at ON pairs
    FOR EACH ROW EXECUTE FUNCTION pairs_notice_recheck()""",
)


def upgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_notice_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_activities_next_notice_on", ["next_notice_on"], unique=False)
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_notice_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_programmes_next_notice_on", ["next_notice_on"], unique=False)
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_notice_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_pairs_next_notice_at", ["next_notice_at"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("activities", "programmes", "pairs"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_notice_recheck"
            + (f" ON {table}" if dialect == "postgresql" else "")
        )
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {table}_notice_recheck()")
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_pairs_next_notice_at")
        batch_op.drop_column("next_notice_at")
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_index("ix_programmes_next_notice_on")
        batch_op.drop_column("next_notice_on")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_next_notice_on")
        batch_op.drop_column("next_notice_on")
