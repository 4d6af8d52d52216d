"""The sweep costs what is due (issue 18): after a sweep, the next one looks at no activity,
programme or pair until its moment comes; a change that brings a notice earlier is seen at
once whatever code made it (database triggers); batches queue what one pass would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.outbox import OutboxMessage, due_page, first_of_chats
from models.pairs import Pair
from models.participant import Participant
from models.programmes import Activity, Programme
from scheduler import jobs, rules
from scheduler.jobs import sweep
from tests.factories import make_running_programme
from tests.scheduler.conftest import FakeClock, Scheduler

# make_running_programme: 01.09–31.12.2026; activities due 15.10, 15.11, 15.12.


async def looked_at(session: AsyncSession, scheduler: Scheduler, clock: FakeClock) -> int:
    settings = scheduler.settings
    today = clock.now().astimezone(settings.timezone).date()
    found = [
        await rules.activities_due(
            session, today, settings.reminder_days, settings.escalate_after_days
        ),
        await rules.programmes_ending(session, today, settings.programme_end_days),
        await rules.pairs_inactive(
            session, clock.now(), settings.inactivity_days, settings.escalate_after_days
        ),
    ]
    await session.rollback()
    return sum(batch.size for batch in found)


async def test_a_sweep_with_nothing_new_looks_at_no_row(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await make_running_programme(session)
    clock.set(2026, 11, 20, 10)  # one activity overdue, one reminded, one far away
    assert await looked_at(session, scheduler, clock) > 0
    assert await scheduler.sweep() > 0
    assert await looked_at(session, scheduler, clock) == 0
    assert await scheduler.sweep() == 0
    clock.set(2026, 11, 21, 10)  # nothing crosses a threshold on the 21st
    assert await looked_at(session, scheduler, clock) == 0
    clock.set(2026, 12, 8, 10)  # the 7-day reminder of 15.12
    assert await looked_at(session, scheduler, clock) >= 1


async def test_a_deadline_moved_earlier_by_any_code_is_reminded_on_its_new_day(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session)
    first = programme.activities[0]
    clock.set(2026, 10, 1, 10)
    await scheduler.sweep()  # next look at 15.10's activity: 08.10 (7 days before)
    # a plain UPDATE, as a guarded decision would write it: no ORM event can see it
    await session.execute(
        update(Activity).where(Activity.id == first.id).values(deadline=date(2026, 10, 4))
    )
    await session.commit()
    clock.set(2026, 10, 2, 10)
    await scheduler.sweep()
    keys = [m.key for m in await scheduler.ledger()]
    assert any(key.startswith(f"deadline:{first.id}:2026-10-04:3:") for key in keys), keys


async def test_batches_queue_what_one_pass_queues(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session)
    clock.set(2026, 12, 28, 10)  # all three overdue and escalated; the programme ends soon
    queued = await sweep(scheduler.pool, scheduler.settings, scheduler.i18n, clock, batch=1)
    keys = {m.key.rsplit(":", 1)[0] for m in await scheduler.ledger()}
    ids = [a.id for a in programme.activities]
    deadlines = ["2026-10-15", "2026-11-15", "2026-12-15"]
    for activity_id, deadline in zip(ids, deadlines, strict=True):
        assert f"overdue:{activity_id}:{deadline}" in keys
        assert f"escalation:{activity_id}:{deadline}" in keys
    assert any(key.startswith(f"ending:{programme.id}:2026-12-31:") for key in keys)
    assert queued == len(await scheduler.ledger())
    assert await scheduler.sweep() == 0


async def test_the_triggers_that_clear_the_next_look_exist_at_head(session: AsyncSession) -> None:
    """A later migration that rebuilds one of these tables (SQLite's batch mode copies a
    table) would drop its trigger silently: this says so."""
    if session.bind.dialect.name == "sqlite":
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        query = text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    names = set(await session.scalars(query))
    assert {
        "activities_notice_recheck",
        "programmes_notice_recheck",
        "pairs_notice_recheck",
    } <= names
    assert await session.scalar(select(OutboxMessage.id).limit(1)) is None


async def query_plan(session: AsyncSession, query: Any) -> str:
    """SQLite's plan for the query, its steps in one line."""
    compiled = query.compile(session.bind, compile_kwargs={"literal_binds": True})
    rows = await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
    return " ".join(row[-1] for row in rows)


async def test_the_curators_are_read_through_an_index(session: AsyncSession) -> None:
    """Every batch of a sweep and every delivery round reads the curators: at 100,000
    participants a scan of the table cost ~10 ms a time, 2 s of a first sweep (issue 18)."""
    if session.bind.dialect.name != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL's planner scans a table this small anyway")
    query = select(Participant.telegram_id).where(Participant.staff_role.is_not(None))
    plan = await query_plan(session, query)
    assert "ix_participants_staff" in plan, plan


async def test_a_batch_is_rendered_and_inserted_a_chunk_at_a_time(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The texts of a batch are never all in memory at once (a batch of 10,000 activities
    just moved a week ahead renders ~20,000 messages), and chunks queue what one insert would."""
    await make_running_programme(session)
    clock.set(2026, 12, 28, 10)  # overdue and escalated activities, the programme's end
    sizes: list[int] = []
    real = jobs.enqueue_many

    async def counted(session: AsyncSession, rows: list[dict[str, Any]], **kwargs: Any) -> int:
        sizes.append(len(rows))
        return await real(session, rows, **kwargs)

    monkeypatch.setattr(jobs, "enqueue_many", counted)
    monkeypatch.setattr(jobs, "QUEUE_CHUNK", 2)
    queued = await scheduler.sweep()
    ledger = await scheduler.ledger()
    assert queued == len(ledger) > 4
    assert max(sizes) == 2
    assert sum(sizes) == queued
    # the same messages in the same order as one insert: everything looked at again
    await session.execute(delete(OutboxMessage).where(OutboxMessage.payload.is_(None)))
    await session.execute(update(Activity).values(next_notice_on=None))
    await session.execute(update(Programme).values(next_notice_on=None, end_passed_notice_for=None))
    await session.execute(update(Pair).values(next_notice_at=None))
    await session.commit()
    monkeypatch.setattr(jobs, "QUEUE_CHUNK", 10_000)
    sizes.clear()
    assert await scheduler.sweep() == queued
    assert sum(sizes) == queued
    assert max(sizes) > 2
    assert [(m.key, m.text) for m in await scheduler.ledger()] == [(m.key, m.text) for m in ledger]


async def test_a_delivery_round_reads_what_is_due_through_an_index(session: AsyncSession) -> None:
    """Every two seconds a delivery round claims the due rows: without the index it walked
    every message ever sent (an empty round at 600,000 rows of the ledger: 340–410 ms)."""
    if session.bind.dialect.name != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL's planner scans a table this small anyway")
    now = datetime(2026, 12, 7, tzinfo=UTC)
    for after, seen in ((None, ()), ((now, 100), [601, 602])):  # the first page, the next ones
        read = await query_plan(session, due_page(now, after, seen))
        assert "ix_outbox_due" in read, read
        assert "TEMP B-TREE" not in read, read  # read in the index's order, not sorted
    # the chosen chats' first rows: each chat's pending rows, not its whole history
    read = await query_plan(session, first_of_chats([601, 602], 3))
    assert "USING INDEX ix_outbox_chat (chat_id=? AND status=?)" in read, read
