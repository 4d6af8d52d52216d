"""Requests: who may ask what, the other side's consent first (§10.2), the curator decides."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EndReason, ProgrammeStatus, RequestStatus
from models.errors import AccessDenied, InvalidValue, WrongState
from models.participant import Participant
from models.requests import (
    answer_as_partner,
    create_request,
    decide_request,
    pending_requests,
)
from tests.factories import CURATOR, actor, make_running_programme


async def pair_people(session: AsyncSession, programme):
    mentor = await session.get(Participant, programme.pair.mentor_id)
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    return mentor, mentee


async def test_each_side_asks_only_for_what_it_may(session: AsyncSession) -> None:
    programme = await make_running_programme(session)
    mentor, mentee = await pair_people(session, programme)
    pair_id = programme.pair_id
    with pytest.raises(AccessDenied):
        await create_request(session, actor(mentor), pair_id, "replacement", reason="x")
    with pytest.raises(AccessDenied):
        await create_request(session, actor(mentee), pair_id, "release", reason="x")
    request = await create_request(
        session, actor(mentee), pair_id, "replacement", reason="Не совпадают графики"
    )
    assert request.status == RequestStatus.PENDING
    with pytest.raises(WrongState):
        await create_request(session, actor(mentee), pair_id, "replacement", reason="again")
    assert [r.id for r in await pending_requests(session)] == [request.id]


async def test_a_deadline_change_needs_the_other_side_then_the_curator(
    session: AsyncSession,
) -> None:
    programme = await make_running_programme(session)
    mentor, mentee = await pair_people(session, programme)
    activity = programme.activities[0]
    with pytest.raises(InvalidValue):
        await create_request(
            session,
            actor(mentee),
            programme.pair_id,
            "deadline",
            reason="Болезнь",
            activity_id=activity.id,
            new_date=date(2027, 2, 1),  # after the programme's end
        )
    request = await create_request(
        session,
        actor(mentee),
        programme.pair_id,
        "deadline",
        reason="Болезнь",
        activity_id=activity.id,
        new_date=date(2026, 11, 20),
    )
    assert request.status == RequestStatus.AWAITING_PARTNER
    assert activity.deadline == date(2026, 10, 15)  # unchanged until approved
    with pytest.raises(AccessDenied):
        await answer_as_partner(session, actor(mentee), request.id, agree=True)
    with pytest.raises(AccessDenied):
        await decide_request(session, actor(mentor), request.id, approve=True, comment="ok")
    await answer_as_partner(session, actor(mentor), request.id, agree=True)
    assert request.status == RequestStatus.PENDING
    await decide_request(session, CURATOR, request.id, approve=True, comment="Согласовано")
    assert request.status == RequestStatus.APPROVED
    assert activity.deadline == date(2026, 11, 20)
    assert request.decided_by == CURATOR.telegram_id


async def test_an_extension_the_other_side_declines_is_withdrawn(session: AsyncSession) -> None:
    programme = await make_running_programme(session)
    mentor, mentee = await pair_people(session, programme)
    request = await create_request(
        session,
        actor(mentor),
        programme.pair_id,
        "extension",
        reason="Больше практики",
        new_date=date(2027, 3, 31),
    )
    await answer_as_partner(session, actor(mentee), request.id, agree=False)
    assert request.status == RequestStatus.WITHDRAWN
    with pytest.raises(WrongState):
        await decide_request(session, CURATOR, request.id, approve=True, comment="x")
    assert programme.end_date == date(2026, 12, 31)


async def test_an_approved_early_end_ends_the_programme_and_other_requests(
    session: AsyncSession,
) -> None:
    programme = await make_running_programme(session)
    mentor, mentee = await pair_people(session, programme)
    early = await create_request(
        session, actor(mentor), programme.pair_id, "early_end", reason="Переезд"
    )
    other = await create_request(
        session, actor(mentee), programme.pair_id, "replacement", reason="Хочу другого"
    )
    await decide_request(session, CURATOR, early.id, approve=True, comment="Уважительная причина")
    assert programme.status == ProgrammeStatus.ENDED_EARLY
    assert programme.end_reason == EndReason.BY_PARTICIPANT
    await session.refresh(other)
    assert other.status == RequestStatus.WITHDRAWN


async def test_a_rejection_changes_nothing(session: AsyncSession) -> None:
    programme = await make_running_programme(session)
    mentor, _ = await pair_people(session, programme)
    request = await create_request(
        session, actor(mentor), programme.pair_id, "release", reason="Нагрузка"
    )
    await decide_request(session, CURATOR, request.id, approve=False, comment="Подождём")
    assert request.status == RequestStatus.REJECTED
    assert programme.pair.mentor_id == mentor.id


async def told(session: AsyncSession, notice: str, object_id: int) -> set[int]:
    """Who the outbox will tell of this notice (chat ids)."""
    from sqlalchemy import select

    from models.outbox import OutboxMessage, notice_prefix

    rows = await session.scalars(
        select(OutboxMessage.chat_id).where(
            OutboxMessage.key.startswith(notice_prefix(notice, object_id))
        )
    )
    return set(rows)


async def test_a_decision_is_told_only_to_those_it_was_written_for(
    session: AsyncSession,
) -> None:
    """Issue 14, part 6: the mentor being replaced never gets the comment written for the
    mentee, nor a refusal; a change both sides agreed to is told to both."""
    programme = await make_running_programme(session)
    mentor, mentee = await pair_people(session, programme)
    asked = await create_request(
        session, actor(mentee), programme.pair_id, "replacement", reason="Расписание"
    )
    await decide_request(session, CURATOR, asked.id, approve=False, comment="Пока рано")
    assert await told(session, "request.decided", asked.id) == {mentee.telegram_id}
    again = await create_request(
        session, actor(mentee), programme.pair_id, "replacement", reason="Расписание"
    )
    await decide_request(session, CURATOR, again.id, approve=True, comment="Подберём")
    assert await told(session, "request.decided", again.id) == {mentee.telegram_id}
    activity = programme.activities[0]
    moved = await create_request(
        session,
        actor(mentee),
        programme.pair_id,
        "deadline",
        reason="Болезнь",
        activity_id=activity.id,
        new_date=date(2026, 11, 20),
    )
    assert moved.old_date == activity.deadline  # the card shows old → new
    assert await told(session, "request.partner", moved.id) == {mentor.telegram_id}
    await answer_as_partner(session, actor(mentor), moved.id, agree=True)
    await decide_request(session, CURATOR, moved.id, approve=True, comment="Хорошо")
    assert await told(session, "request.decided", moved.id) == {
        mentor.telegram_id,
        mentee.telegram_id,
    }


async def test_a_change_of_mentor_is_fixed_by_an_order_once(session: AsyncSession) -> None:
    from models.pairs import (
        answer_pair,
        propose_replacement,
        record_replacement_order,
        replacements_without_order,
    )
    from tests.factories import make_mentor

    programme = await make_running_programme(session)
    mentor, mentee = await pair_people(session, programme)
    other = await make_mentor(session, full_name="Орлова Нина")
    await propose_replacement(session, CURATOR, programme.pair_id, other.id)
    result = await answer_pair(session, actor(other), programme.pair_id, accept=True)
    assert result.replacement_id is not None
    # the old mentor gets the neutral notice, the mentee the new mentor; curators are a
    # single row expanded at delivery
    assert await told(session, "pair.replaced", result.replacement_id) == {
        0,
        mentor.telegram_id,
        mentee.telegram_id,
    }
    assert [r.id for r in await replacements_without_order(session)] == [result.replacement_id]
    with pytest.raises(AccessDenied):
        await record_replacement_order(
            session,
            actor(mentee),
            result.replacement_id,
            order_number="71-н",
            order_date=date(2026, 9, 20),
        )
    recorded = await record_replacement_order(
        session, CURATOR, result.replacement_id, order_number="71-н", order_date=date(2026, 9, 20)
    )
    assert (recorded.order_number, recorded.order_date) == ("71-н", date(2026, 9, 20))
    assert await replacements_without_order(session) == []
    with pytest.raises(WrongState):
        await record_replacement_order(
            session,
            CURATOR,
            result.replacement_id,
            order_number="72-н",
            order_date=date(2026, 9, 21),
        )
