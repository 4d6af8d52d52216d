"""A programme past its end date with its plan unfinished: the pair and the curators are told
once per end date, with the choices (extend §10.2, complete, end early §10.1.2–3); an agreed
extension that passes again is told again; the digest counts such programmes."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models.changes import Change, answer_change, propose_change
from models.participant import Participant
from models.programmes import Programme
from tests.conftest import CURATOR_ID
from tests.factories import actor, make_running_programme
from tests.scheduler.conftest import FakeClock, Scheduler

# make_running_programme: 01.09–31.12.2026; activities due 15.10, 15.11, 15.12.


def passed(messages, chat_id: int) -> list:
    return [m for m in messages if m.chat_id == chat_id and "истёк " in m.text]


def buttons(message) -> list[str]:
    return [row[0].text for row in message.reply_markup.inline_keyboard]


async def test_the_end_date_passing_is_told_once_with_the_choices(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=3)
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    mentor = await session.get(Participant, programme.pair.mentor_id)
    scheduler.settings.reminder_days = ()
    clock.set(2026, 12, 31, 12)  # the last day: not yet
    sent = await scheduler.run()
    assert not passed(sent, mentee.telegram_id)
    clock.set(2027, 1, 1, 10)
    sent = await scheduler.run()
    (to_mentee,) = passed(sent, mentee.telegram_id)
    assert "31.12.2026" in to_mentee.text
    assert "невыполненных мероприятий: 3" in to_mentee.text
    assert buttons(to_mentee) == [
        "Открыть план",
        "Продлить (п. 10.2)",
        "Завершить досрочно (п. 10.1.2)",
    ]
    assert len(passed(sent, mentor.telegram_id)) == 1
    (to_curator,) = passed(sent, CURATOR_ID)
    assert f"№{programme.id}" in to_curator.text
    assert f"Завершить №{programme.id}" in buttons(to_curator)
    for day in (2, 3, 10):  # told once, however many sweeps follow
        clock.set(2027, 1, day, 10)
        sent = await scheduler.run()
        assert not passed(sent, mentee.telegram_id)
        assert not passed(sent, CURATOR_ID)
    await session.refresh(programme)
    assert programme.end_passed_notice_for == date(2026, 12, 31)

    # Extended by agreement (§10.2) to 31.01.2027: when that passes too, told again, once.
    proposal = await propose_change(
        session,
        actor(mentor),
        programme.id,
        [Change("end_date", values={"end_date": date(2027, 1, 31)})],
        reason="Болезнь",
    )
    await answer_change(session, actor(mentee), proposal.id, agree=True)
    clock.set(2027, 1, 20, 10)
    assert not passed(await scheduler.run(), mentee.telegram_id)
    clock.set(2027, 2, 1, 10)
    (again,) = passed(await scheduler.run(), mentee.telegram_id)
    assert "31.01.2027" in again.text
    clock.set(2027, 2, 2, 10)
    assert not passed(await scheduler.run(), mentee.telegram_id)


async def test_the_digest_counts_programmes_past_their_end(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await make_running_programme(session, activities=1)
    scheduler.settings.reminder_days = ()
    clock.set(2027, 1, 4, 9, 0)  # a Monday after the end date
    (digest,) = [m.text for m in await scheduler.run() if "дайджест" in m.text]
    assert "Программ с истёкшим сроком: 1" in digest


async def test_a_programme_ended_before_is_not_told(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    programme_id = programme.id
    programme = await session.get(Programme, programme_id)
    from models.enums import EndReason
    from models.programmes import end_early
    from tests.factories import CURATOR

    await end_early(session, CURATOR, programme_id, reason=EndReason.BY_CURATOR, comment="Уволился")
    scheduler.settings.reminder_days = ()
    clock.set(2027, 1, 5, 10)
    assert not [m for m in await scheduler.run() if "истёк " in m.text]
