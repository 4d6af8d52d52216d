"""Reminders and escalations with a fake clock: each exactly once, caught up after downtime
without a burst, none for what is already done, none in quiet hours."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EndReason
from models.outbox import OutboxStatus
from models.participant import Participant
from models.programmes import end_early, report_activity, review_activity
from models.requests import create_request
from models.surveys import SURVEY_QUESTIONS, submit_survey
from tests.conftest import CURATOR_ID
from tests.factories import CURATOR, actor, make_running_programme
from tests.scheduler.conftest import FakeClock, Scheduler

# make_running_programme: 01.09–31.12.2026; activities due 15.10, 15.11, 15.12.


async def people(session: AsyncSession, programme) -> tuple[Participant, Participant]:
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    mentor = await session.get(Participant, programme.pair.mentor_id)
    assert mentee is not None
    assert mentor is not None
    return mentee, mentor


def to_pair(messages, *people: Participant) -> list:
    chats = {p.telegram_id for p in people}
    return [m for m in messages if m.chat_id in chats]


def texts_to(messages, chat_id: int) -> list[str]:
    return [m.text for m in messages if m.chat_id == chat_id]


async def test_deadline_reminders_at_7_3_1_and_0_days_each_once(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session)
    mentee, mentor = await people(session, programme)
    seen: list[str] = []
    for day, expected in (
        (8, "осталось 7 дней"),
        (9, None),
        (12, "осталось 3 дня"),
        (14, "остался 1 день"),
        (15, "Сегодня"),
    ):
        clock.set(2026, 10, day, 10)
        sent = await scheduler.run()
        again = await scheduler.run()  # a second sweep the same day queues nothing
        assert to_pair(again, mentee, mentor) == []
        to_mentee = texts_to(sent, mentee.telegram_id)
        if expected is None:
            assert to_mentee == []
            continue
        assert len(to_mentee) == 1
        assert expected in to_mentee[0]
        assert "«Мероприятие 1»" in to_mentee[0]
        (copy,) = texts_to(sent, mentor.telegram_id)
        assert copy.startswith("Копия для наставника")
        seen.append(to_mentee[0])
    assert len(seen) == 4
    report_buttons = [m for m in await scheduler.ledger() if m.chat_id == mentee.telegram_id]
    assert all(m.reply_markup and "ac:report:" in str(m.reply_markup) for m in report_buttons)


async def test_no_reminder_for_an_activity_already_confirmed(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, mentor = await people(session, programme)
    activity = programme.activities[0]
    await report_activity(session, actor(mentee), activity.id, comment="Готово")
    await review_activity(session, actor(mentor), activity.id, confirm=True)
    for day in (8, 12, 15, 16, 20):
        clock.set(2026, 10, day, 10)
        assert to_pair(await scheduler.run(), mentee, mentor) == []


async def test_catch_up_after_downtime_sends_only_the_latest_reminder(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, _ = await people(session, programme)
    clock.set(2026, 10, 13, 10)  # the bot was down since September: 7- and 3-day days passed
    sent = texts_to(await scheduler.run(), mentee.telegram_id)
    assert len(sent) == 1
    assert "осталось 2 дня" in sent[0]  # the real days left, once
    clock.set(2026, 10, 14, 10)
    assert "остался 1 день" in texts_to(await scheduler.run(), mentee.telegram_id)[0]


async def test_overdue_the_day_after_and_the_curator_after_three_days(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, mentor = await people(session, programme)
    clock.set(2026, 10, 16, 10)
    sent = await scheduler.run()
    assert "просрочено" in texts_to(sent, mentee.telegram_id)[0]
    # the mentee can report it from the reminder; the mentor gets a copy naming whose it is,
    # without being told to use the mentee's /done
    (to_mentee,) = [m for m in sent if m.chat_id == mentee.telegram_id]
    assert "Отметить выполнение" in str(to_mentee.reply_markup)
    (to_mentor,) = texts_to(sent, mentor.telegram_id)
    assert to_mentor.startswith("Копия для наставника (")
    assert "/done" not in to_mentor
    assert [t for t in texts_to(sent, CURATOR_ID) if "Просроченное мероприятие" in t] == []
    clock.set(2026, 10, 17, 10)
    assert to_pair(await scheduler.run(), mentee, mentor) == []
    clock.set(2026, 10, 18, 10)
    (escalation,) = [
        t for t in texts_to(await scheduler.run(), CURATOR_ID) if "Просроченное мероприятие" in t
    ]
    assert "Просроченное мероприятие: «Мероприятие 1»" in escalation
    assert "просрочка 3 дня" in escalation
    clock.set(2026, 10, 25, 10)
    later = [m.text for m in await scheduler.run() if "дайджест" not in m.text]
    assert not [t for t in later if "просроч" in t.lower()]


async def test_quiet_hours_hold_messages_until_morning(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, _ = await people(session, programme)
    clock.set(2026, 10, 7, 23, 30)  # 23:30: the 7-day reminder for 15.10 falls due at midnight
    clock.set(2026, 10, 8, 0, 30)
    assert await scheduler.run() == []  # queued, not sent
    queued = [m for m in await scheduler.ledger() if m.kind == "deadline"]
    assert [m.status for m in queued] == ["pending", "pending"]
    clock.set(2026, 10, 8, 7, 59)
    assert (await scheduler.deliver()).sent == 0
    clock.set(2026, 10, 8, 8, 0)
    assert (await scheduler.deliver()).sent >= 2
    assert all(m.status == "sent" for m in await scheduler.ledger())
    assert texts_to(scheduler.bot.session.requests, mentee.telegram_id)


async def test_the_day_is_counted_in_the_bots_time_zone(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    scheduler.settings.quiet_hours = None
    programme = await make_running_programme(session, activities=1)
    mentee, _ = await people(session, programme)
    clock.set(2026, 10, 15, 1, 30)  # still 14.10 in UTC, already the deadline day in Moscow
    assert clock.now().day == 14
    (text,) = texts_to(await scheduler.run(), mentee.telegram_id)
    assert "Сегодня срок" in text


async def test_programme_end_is_announced_14_and_3_days_before(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, mentor = await people(session, programme)
    activity = programme.activities[0]
    await report_activity(session, actor(mentee), activity.id, comment="x")
    await review_activity(session, actor(mentor), activity.id, confirm=True)
    found = Counter()
    for day in range(15, 32):
        clock.set(2026, 12, day, 10)
        for text in texts_to(await scheduler.run(), mentee.telegram_id):
            if "завершается" in text:
                found[text.split(",")[0]] += 1
    assert found == {
        "Ваша программа завершается через 14 дней": 1,
        "Ваша программа завершается через 3 дня": 1,
    }


async def test_the_questionnaire_is_offered_again_to_those_who_did_not_answer(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, mentor = await people(session, programme)
    clock.set(2026, 11, 1, 10)
    await end_early(
        session, CURATOR, programme.id, reason=EndReason.BY_CURATOR, comment="x", now=clock.now()
    )
    await submit_survey(
        session, actor(mentor), programme.id, dict.fromkeys(SURVEY_QUESTIONS, 4), None
    )
    clock.set(2026, 11, 3, 10)
    assert to_pair(await scheduler.run(), mentee, mentor) == []
    clock.set(2026, 11, 4, 11)
    sent = to_pair(await scheduler.run(), mentee, mentor)
    assert [m.chat_id for m in sent] == [mentee.telegram_id]
    assert "анкету мониторинга" in sent[0].text
    clock.set(2026, 11, 10, 11)
    assert to_pair(await scheduler.run(), mentee, mentor) == []


async def test_an_inactive_pair_is_nudged_then_the_curator_is_told(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, mentor = await people(session, programme)
    scheduler.settings.reminder_days = ()
    scheduler.settings.programme_end_days = ()
    start = programme.approved_at
    clock.moment = start.replace(hour=9) + timedelta(days=29)
    inactive = [m for m in await scheduler.run() if "Ничего не происходит" in m.text]
    assert inactive == []
    clock.advance(days=2)
    sent = await scheduler.run()
    assert {m.chat_id for m in sent if "Ничего не происходит" in m.text} == {
        mentee.telegram_id,
        mentor.telegram_id,
    }
    clock.advance(days=3)
    assert any("неактивна" in t for t in texts_to(await scheduler.run(), CURATOR_ID))
    clock.advance(days=1)
    assert not [m for m in await scheduler.run() if "неактивна" in m.text or "Ничего" in m.text]


async def test_requests_pending_over_three_days_are_recalled_once(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    programme = await make_running_programme(session, activities=1)
    mentee, _ = await people(session, programme)
    request = await create_request(
        session, actor(mentee), programme.pair_id, "replacement", reason="x"
    )
    clock.moment = request.created_at
    clock.set(clock.now().year, clock.now().month, clock.now().day, 12)
    scheduler.settings.reminder_days = ()
    clock.advance(days=2)
    assert not [
        t for t in texts_to(await scheduler.run(), CURATOR_ID) if "ждёт вашего решения" in t
    ]
    clock.advance(days=2)
    assert [
        t for t in texts_to(await scheduler.run(), CURATOR_ID) if f"Обращение №{request.id}" in t
    ]
    clock.advance(days=3)
    assert not [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "Обращение" in t]


async def test_the_weekly_digest_once_a_week_and_caught_up(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await make_running_programme(session, activities=3)
    scheduler.settings.reminder_days = ()
    clock.set(2026, 10, 12, 8, 59)  # Monday before 09:00
    assert not [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    clock.set(2026, 10, 12, 9, 0)
    (digest,) = [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    assert "Действующих пар: 1" in digest
    assert "Мероприятий со сроком на этой неделе: 1" in digest
    clock.set(2026, 10, 14, 9, 0)
    assert not [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    clock.set(2026, 10, 21, 15, 0)  # the bot was down on Monday 19.10: caught up on Wednesday
    (late,) = [t for t in texts_to(await scheduler.run(), CURATOR_ID) if "дайджест" in t]
    assert "Просроченных мероприятий: 1" in late


async def test_the_yearly_reminder_to_update_the_list_of_mentees(
    scheduler: Scheduler, clock: FakeClock
) -> None:
    def yearly(messages) -> list[str]:
        return [t for t in texts_to(messages, CURATOR_ID) if "п. 6.4.2" in t]

    clock.set(2026, 8, 31, 10)
    assert yearly(await scheduler.run()) == []
    clock.set(2026, 9, 1, 10)
    assert len(yearly(await scheduler.run())) == 1
    clock.set(2026, 9, 2, 10)
    assert yearly(await scheduler.run()) == []
    clock.set(2027, 9, 1, 10)
    assert len(yearly(await scheduler.run())) == 1


async def test_the_ledger_keeps_each_reminder_once_across_processes(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    await make_running_programme(session, activities=3)
    clock.set(2026, 10, 8, 10)
    counts = await asyncio.gather(*(scheduler.sweep() for _ in range(4)))
    ledger = await scheduler.ledger()
    assert sum(counts) == len(ledger)  # each queued by exactly one of the sweeps
    assert sorted(m.kind for m in ledger) == ["deadline", "deadline", "digest"]
    reports = await asyncio.gather(*(scheduler.deliver() for _ in range(3)))
    assert sum(r.sent for r in reports) == 3
    sends = [m for m in scheduler.bot.session.requests if type(m).__name__ == "SendMessage"]
    assert len(sends) == 3
    assert all(m.status == OutboxStatus.SENT for m in await scheduler.ledger())


async def test_in_a_group_only_mentees_whose_part_is_open_are_reminded(
    session: AsyncSession, scheduler: Scheduler, clock: FakeClock
) -> None:
    from models.progress import report_part
    from tests.groups import make_group, make_programme

    pair, mentor, (done, late) = await make_group(session)
    programme = await make_programme(session, pair, mentor, [done, late])
    await report_part(session, actor(done), programme.activities[0].id, comment="сделано")
    clock.set(2026, 10, 2, 10)  # the activity is due 01.10: overdue since yesterday
    sent = await scheduler.run()
    assert texts_to(sent, late.telegram_id)
    assert texts_to(sent, mentor.telegram_id)
    assert texts_to(sent, done.telegram_id) == []  # their part is reported: not nagged


def test_every_kind_of_due_message_has_its_renderer() -> None:
    from scheduler.messages import RENDERERS
    from scheduler.rules import DueKind

    assert set(RENDERERS) == set(DueKind)
