"""The mentee's choice (§4.2.5, §9.1.2, §9.2): only mentors who agreed are shown; a mentee
without a pair asks for one with a reason; the curators are told; the wish lasts until a pair."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.choice import ask_for_mentor, current_wishes, mentors_for, set_shown
from models.desk import curator_desk
from models.errors import InvalidValue, NotFound, WrongState
from models.matching import rank_mentors
from models.outbox import OutboxMessage
from tests.factories import actor, make_accepted_pair, make_mentor, make_teacher

TODAY = date(2026, 11, 25)


async def test_only_mentors_who_agreed_are_shown(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    hidden = await make_mentor(session)
    shown = await make_mentor(session)
    candidate = await make_teacher(session, mentee=False, mentor=True)
    with pytest.raises(WrongState):
        await set_shown(session, actor(candidate), True)
    with pytest.raises(WrongState):
        await set_shown(session, actor(mentee), True)
    await set_shown(session, actor(shown), True)
    assert [m.mentor.id for m in await mentors_for(session, actor(mentee))] == [shown.id]
    with pytest.raises(NotFound):
        await ask_for_mentor(session, actor(mentee), hidden.id, "Знаю её", [1000])
    await set_shown(session, actor(shown), False)
    assert await mentors_for(session, actor(mentee)) == []


async def test_a_wish_reaches_the_curators_and_lasts_until_a_pair(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    await set_shown(session, actor(mentor), True)
    with pytest.raises(InvalidValue):
        await ask_for_mentor(session, actor(mentee), mentor.id, "  ", [1000])
    wish = await ask_for_mentor(
        session, actor(mentee), mentor.id, " Работали  вместе ", [1000, 1001]
    )
    assert wish.reason == "Работали вместе"
    rows = await session.scalars(select(OutboxMessage))
    told = sorted(r.chat_id for r in rows if (r.payload or {}).get("notice") == "wish.created")
    assert told == [1000, 1001]
    assert (await curator_desk(session, TODAY)).wishes == 1
    assert (await current_wishes(session, [mentee.id]))[mentee.id].mentor_id == mentor.id

    await make_accepted_pair(session, mentee=mentee, mentor=mentor)
    assert (await curator_desk(session, TODAY)).wishes == 0
    with pytest.raises(WrongState):  # a mentee with a pair does not choose
        await mentors_for(session, actor(mentee))


async def test_the_wished_mentor_stays_in_the_curators_list(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentors = [await make_mentor(session) for _ in range(3)]
    ranked = await rank_mentors(session, mentee.id, limit=1)
    last = (await rank_mentors(session, mentee.id, limit=3))[-1].mentor.id
    assert last not in [m.mentor.id for m in ranked]
    kept = await rank_mentors(session, mentee.id, limit=1, include=last)
    assert [m.mentor.id for m in kept][-1] == last
    assert len(kept) == 2
    assert {m.id for m in mentors} >= {m.mentor.id for m in kept}
