"""Overdue roadmap stages (Appendix 1) appear in the curators' weekly digest."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.roadmap import create_roadmap, set_stage_done, stages_of
from tests.conftest import CURATOR_ID
from tests.factories import CURATOR
from tests.scheduler.conftest import FakeClock, Scheduler
from tests.scheduler.test_reminders import texts_to


async def test_the_digest_counts_the_overdue_stages(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    scheduler.settings.reminder_days = ()
    roadmap = await create_roadmap(session, CURATOR, date(2026, 9, 1))
    clock.set(2026, 10, 12, 9, 0)  # nothing overdue yet: stage 1 ends on 31.10
    (digest,) = [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    assert "этап" not in digest
    clock.set(2026, 11, 23, 9, 0)  # stages 1-3 have ended, none marked done
    (digest,) = [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    assert "3 этапа дорожной карты просрочены (/roadmap)" in digest
    first = (await stages_of(session, roadmap.id))[0]
    await set_stage_done(session, CURATOR, first.id, True)
    clock.set(2026, 11, 30, 9, 0)
    (digest,) = [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    assert "3 этапа" not in digest
    assert "этапа дорожной карты просрочены" in digest
