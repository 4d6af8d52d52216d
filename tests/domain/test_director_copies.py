"""§7.1.3, §8.1.5: replacement and release applications are addressed to the curator and the
director — a copy for the director is queued with the application, the decision follows."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.enums import RequestKind, RequestStatus, StaffRole
from models.errors import AccessDenied, WrongState
from models.outbox import OutboxMessage
from models.participant import Participant
from models.requests import create_request, decide_request
from tests.factories import CURATOR, actor, make_active_pair, make_teacher


async def _notices(session: AsyncSession, notice: str) -> list[tuple[int, int]]:
    rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [
        (row.chat_id, row.payload["id"])
        for row in rows
        if (row.payload or {}).get("notice") == notice
    ]


async def test_a_copy_and_the_decision_reach_the_director(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    boss = await make_teacher(session, mentee=False, telegram_id=7101)
    boss.staff_role = StaffRole.DIRECTOR
    await session.commit()
    mentee = await session.get(Participant, pair.mentee_ids[0])
    mentor = await session.get(Participant, pair.mentor_id)
    replacement = await create_request(
        session, actor(mentee), pair.id, RequestKind.REPLACEMENT, reason="Переезд"
    )
    release = await create_request(
        session, actor(mentor), pair.id, RequestKind.RELEASE, reason="Нагрузка"
    )
    assert await _notices(session, "request.copy") == [(7101, replacement.id), (7101, release.id)]

    await decide_request(session, CURATOR, replacement.id, approve=False, comment="Нет")
    decided = await _notices(session, "request.decided")
    assert (7101, replacement.id) in decided
    # The director deciding is not told of their own decision.
    director = Actor(boss.telegram_id, boss.id, is_curator=True)
    await decide_request(session, director, release.id, approve=False, comment="Нет")
    assert (7101, release.id) not in await _notices(session, "request.decided")


async def test_without_a_director_nothing_is_copied(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    await create_request(session, actor(mentee), pair.id, RequestKind.REPLACEMENT, reason="Да")
    assert await _notices(session, "request.copy") == []


async def test_a_release_from_duties_is_the_directors_alone(session: AsyncSession) -> None:
    """§4.3: in exceptional cases the director releases from duties for a plan activity."""
    pair = await make_active_pair(session)
    mentor = await session.get(Participant, pair.mentor_id)
    with pytest.raises(WrongState):  # nobody could decide it
        await create_request(session, actor(mentor), pair.id, "duty_release", reason="Семинар")
    boss = await make_teacher(session, mentee=False, telegram_id=7201)
    boss.staff_role = StaffRole.DIRECTOR
    await session.commit()
    request = await create_request(
        session, actor(mentor), pair.id, "duty_release", reason="Семинар 3.12, замена Орлова"
    )
    with pytest.raises(AccessDenied):
        await decide_request(session, CURATOR, request.id, approve=True, comment="Да")
    director = Actor(boss.telegram_id, boss.id, is_curator=True)
    decided = await decide_request(session, director, request.id, approve=True, comment="Да")
    assert decided.status == RequestStatus.APPROVED
    told = {chat for chat, rid in await _notices(session, "request.decided") if rid == request.id}
    assert told == {
        mentor.telegram_id,
        *[p.telegram_id for p in [await session.get(Participant, i) for i in pair.mentee_ids]],
    }
