"""Personalised programmes: drafting, agreement, approval, reports, completion, early end."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import ActivityStatus, EndReason, PairStatus, ProgrammeStatus
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, NotFound, WrongState
from models.outbox import OutboxMessage
from models.participant import Participant
from models.programmes import (
    ProgrammeDraft,
    add_activity,
    end_early,
    get_activity,
    get_programme,
    report_activity,
    respond_to_draft,
    review_activity,
    review_programme,
    save_draft,
    submit_programme,
    vote_completion,
)
from tests.factories import (
    CURATOR,
    END,
    START,
    actor,
    make_active_pair,
    make_running_programme,
    make_teacher,
)


def draft(start: date = START, end: date = END) -> ProgrammeDraft:
    return ProgrammeDraft("Цель", "Затруднения", "Сильные стороны", ["traditional"], start, end)


async def people(session: AsyncSession, pair) -> tuple[Participant, Participant]:
    mentor = await session.get(Participant, pair.mentor_id)
    mentee = await session.get(Participant, pair.mentee_ids[0])
    assert mentor is not None
    assert mentee is not None
    return mentor, mentee


async def test_the_period_is_three_months_to_a_year(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentor, mentee = await people(session, pair)
    with pytest.raises(InvalidValue):
        await save_draft(session, actor(mentor), pair.id, draft(end=date(2026, 11, 30)))
    with pytest.raises(InvalidValue):
        await save_draft(session, actor(mentor), pair.id, draft(end=date(2027, 9, 2)))
    with pytest.raises(AccessDenied):
        await save_draft(session, actor(mentee), pair.id, draft())
    programme = await save_draft(session, actor(mentor), pair.id, draft(end=date(2027, 9, 1)))
    assert programme.status == ProgrammeStatus.DRAFT


async def test_deadlines_stay_inside_the_programme(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentor, mentee = await people(session, pair)
    programme = await save_draft(session, actor(mentor), pair.id, draft())
    for deadline in (date(2026, 8, 31), date(2027, 1, 1)):
        with pytest.raises(InvalidValue):
            await add_activity(
                session,
                actor(mentor),
                programme.id,
                title="Открытый урок",
                description=None,
                deadline=deadline,
                responsible="mentee",
            )
    with pytest.raises(AccessDenied):
        await add_activity(
            session,
            actor(mentee),
            programme.id,
            title="x",
            description=None,
            deadline=START,
            responsible="mentee",
        )
    with pytest.raises(InvalidValue):
        await submit_programme(session, actor(mentor), programme.id)  # no activity yet


async def test_the_mentee_comments_agrees_and_the_curator_approves(session: AsyncSession) -> None:
    pair = await make_active_pair(session)
    mentor, mentee = await people(session, pair)
    programme = await save_draft(session, actor(mentor), pair.id, draft())
    await add_activity(
        session,
        actor(mentor),
        programme.id,
        title="Посетить 3 занятия наставника",
        description=None,
        deadline=date(2026, 10, 1),
        responsible="mentee",
    )
    await submit_programme(session, actor(mentor), programme.id)
    # a second press of «Send to the mentee»: refused, the draft is not sent twice
    with pytest.raises(AlreadyDecided):
        await submit_programme(session, actor(mentor), programme.id)
    queued = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.key.like(f"notice:programme.submitted:{programme.id}.%"))
    )
    assert queued == 1
    await respond_to_draft(
        session, actor(mentee), programme.id, agree=False, comment="Добавьте открытый урок"
    )
    assert programme.status == ProgrammeStatus.DRAFT
    assert programme.mentee_comment == "Добавьте открытый урок"
    with pytest.raises(WrongState):
        await review_programme(session, CURATOR, programme.id, approve=True)

    await submit_programme(session, actor(mentor), programme.id)
    await respond_to_draft(session, actor(mentee), programme.id, agree=True)
    assert programme.status == ProgrammeStatus.AGREED
    with pytest.raises(AccessDenied):
        await review_programme(session, actor(mentor), programme.id, approve=True)
    await review_programme(session, CURATOR, programme.id, approve=True)
    assert programme.status == ProgrammeStatus.APPROVED
    assert programme.approved_by == CURATOR.telegram_id
    with pytest.raises(WrongState):
        await save_draft(session, actor(mentor), pair.id, draft())  # changes go via requests


async def test_reports_are_checked_by_the_mentor_until_the_plan_completes(
    session: AsyncSession,
) -> None:
    programme = await make_running_programme(session, activities=2)
    mentor, mentee = await people(session, programme.pair)
    first, second = programme.activities

    with pytest.raises(AccessDenied):
        await report_activity(session, actor(mentor), first.id, comment="сделал")
    await report_activity(
        session, actor(mentee), first.id, comment="Провела", evidence_file_id="F1"
    )
    assert first.status == ActivityStatus.REPORTED
    with pytest.raises(WrongState):
        await report_activity(session, actor(mentee), first.id, comment="ещё раз")
    with pytest.raises(AccessDenied):
        await review_activity(session, actor(mentee), first.id, confirm=True)
    with pytest.raises(InvalidValue):
        await review_activity(session, actor(mentor), first.id, confirm=False)  # no comment

    await review_activity(session, actor(mentor), first.id, confirm=False, comment="Нет анализа")
    assert first.status == ActivityStatus.RETURNED
    await report_activity(session, actor(mentee), first.id, comment="Добавила анализ")
    await review_activity(session, actor(mentor), first.id, confirm=True)
    assert programme.progress == (1, 2)
    with pytest.raises(WrongState):
        await vote_completion(session, actor(mentee), programme.id)

    await report_activity(session, actor(mentee), second.id, comment="Готово")
    await review_activity(session, actor(mentor), second.id, confirm=True)
    assert programme.plan_done
    await vote_completion(session, actor(mentee), programme.id)
    assert programme.status == ProgrammeStatus.APPROVED  # the mentor has not agreed yet
    await vote_completion(session, actor(mentor), programme.id)
    assert programme.status == ProgrammeStatus.COMPLETED
    assert programme.end_reason == EndReason.PLAN_DONE
    assert programme.pair.status == PairStatus.CLOSED


async def test_the_curator_ends_a_programme_early_and_nothing_is_reported_after(
    session: AsyncSession,
) -> None:
    programme = await make_running_programme(session)
    mentor, mentee = await people(session, programme.pair)
    with pytest.raises(AccessDenied):
        await end_early(
            session, actor(mentor), programme.id, reason=EndReason.BY_CURATOR, comment="x"
        )
    await end_early(
        session, CURATOR, programme.id, reason=EndReason.BY_CURATOR, comment="Не выполняется"
    )
    assert programme.status == ProgrammeStatus.ENDED_EARLY
    assert programme.end_reason == EndReason.BY_CURATOR
    with pytest.raises(WrongState):
        await report_activity(session, actor(mentee), programme.activities[0].id, comment="x")
    with pytest.raises(WrongState):
        await end_early(
            session, CURATOR, programme.id, reason=EndReason.BY_CURATOR, comment="again"
        )


async def test_only_the_pair_and_curators_see_a_programme(session: AsyncSession) -> None:
    programme = await make_running_programme(session)
    outsider = await make_teacher(session)
    with pytest.raises(AccessDenied):
        await get_programme(session, actor(outsider), programme.id)
    with pytest.raises(AccessDenied):
        await get_activity(session, actor(outsider), programme.activities[0].id)
    with pytest.raises(AccessDenied):
        await report_activity(session, actor(outsider), programme.activities[0].id, comment="x")
    with pytest.raises(NotFound):
        await get_activity(session, CURATOR, 999_999)
    assert (await get_programme(session, CURATOR, programme.id)).id == programme.id


async def test_overdue_activities(session: AsyncSession) -> None:
    programme = await make_running_programme(session, activities=2)
    first, second = programme.activities
    assert first.deadline == date(2026, 10, 15)
    assert not first.overdue(date(2026, 10, 15))
    assert first.overdue(date(2026, 10, 16))
    assert not second.overdue(date(2026, 10, 16))


async def test_a_draft_the_mentor_took_back_tells_the_mentee_why(session: AsyncSession) -> None:
    """The mentor changed the draft after sending it: the mentee's «agree» under the old copy
    says a new version is coming, not «already decided: draft»."""
    pair = await make_active_pair(session)
    mentor, mentee = await people(session, pair)
    programme = await save_draft(session, actor(mentor), pair.id, draft())
    for number in (1, 2):
        if number == 2:
            await submit_programme(session, actor(mentor), programme.id)
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title=f"Мероприятие {number}",
            description=None,
            deadline=date(2026, 10, number),
            responsible="mentee",
        )
    assert programme.status == ProgrammeStatus.DRAFT
    with pytest.raises(AlreadyDecided) as refused:
        await respond_to_draft(session, actor(mentee), programme.id, agree=True)
    assert "new version will come" in refused.value.message


async def test_two_sends_of_a_draft_at_once_send_it_once(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """A double tap arriving as two updates at once: one sends the draft, the other is told it
    is already with the mentee (the @decision retry reads the sent draft), one notice queued."""
    async with session_pool() as session:
        pair = await make_active_pair(session)
        mentor, _mentee = await people(session, pair)
        programme = await save_draft(session, actor(mentor), pair.id, draft())
        await add_activity(
            session,
            actor(mentor),
            programme.id,
            title="Мероприятие",
            description=None,
            deadline=date(2026, 10, 1),
            responsible="mentee",
        )
        programme_id, who = programme.id, actor(mentor)

    async def send() -> str:
        async with session_pool() as session:
            try:
                await submit_programme(session, who, programme_id)
            except AlreadyDecided:
                return "refused"
            return "sent"

    outcomes = await asyncio.gather(send(), send())
    assert sorted(outcomes) == ["refused", "sent"]
    async with session_pool() as session:
        queued = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.key.like(f"notice:programme.submitted:{programme_id}.%"))
        )
    assert queued == 1
