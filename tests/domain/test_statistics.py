"""The year's figures count a pair in the years it worked: from its order (§9.2) until it
closed — never a proposal still waiting for consents or for the order."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from documents.content import coverage
from models.pairs import approve_pair
from models.statistics import academic_year, collect_statistics
from tests.factories import CURATOR, make_accepted_pair, make_active_pair

ZONE = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 12, 7)


async def test_a_pair_counts_from_its_order_in_every_year_it_worked(session: AsyncSession) -> None:
    await make_accepted_pair(session)  # agreed by both, no order yet: in no year
    await make_active_pair(session)  # ordered 01.09.2026
    spring = await make_accepted_pair(session)
    await approve_pair(
        session, CURATOR, spring.id, order_number="57-н", order_date=date(2026, 5, 21)
    )
    this_year, last_year = academic_year(TODAY), academic_year(TODAY, years_back=1)
    now = await collect_statistics(session, *this_year, TODAY, ZONE)
    before = await collect_statistics(session, *last_year, TODAY, ZONE)
    assert now.pairs == 2  # September's and May's, still working
    assert before.pairs == 1  # May's only
    assert await coverage(session, *this_year, ZONE) == 2
    assert await coverage(session, *last_year, ZONE) == 1
    # «Участников в парах и группах» by department: the two ordered pairs' four people, not
    # the proposal's two
    assert sum(counts["in_pair"] for counts in now.departments.values()) == 4
