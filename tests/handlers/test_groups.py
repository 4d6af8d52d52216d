"""Groups through the dispatcher (issue #14): each mentee reports their own part and /plan shows
each one's progress; the group's agreement to the programme needs every mentee; a newcomer's
order; forged and stale buttons change nothing."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import EditMessageText
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import ActivityStatus, ProgrammeStatus
from models.pairs import get_pair
from models.programmes import Programme
from tests.driver import Person, said, texts
from tests.factories import make_teacher
from tests.groups import join, make_group, make_programme
from tests.story import on

NAMES = ("Петрова Анна", "Козлова Вера")


async def _group(pool, person, *, approve: bool = True, responsible=("mentee",)):  # type: ignore[no-untyped-def]
    async with pool() as session:
        pair, mentor, mentees = await make_group(session, names=NAMES)
        programme = await make_programme(
            session, pair, mentor, mentees, responsible, approve=approve
        )
        return (
            programme.id,
            programme.activities[0].id,
            person(mentor.telegram_id),
            [person(m.telegram_id) for m in mentees],
            [m.id for m in mentees],
        )


async def _programme(pool, programme_id: int) -> Programme:  # type: ignore[no-untyped-def]
    async with pool() as session:
        programme = await session.get(Programme, programme_id)
        assert programme is not None
        return programme


async def _report(mentee: Person, mentor: Person) -> None:
    await mentee.send("/done")
    await mentee.press("Мероприятие 1")
    await mentee.send("Провела открытый урок")
    replies = await mentee.press("Пропустить")
    assert said(replies, "отметил(а) выполнение мероприятия", chat_id=mentor.user_id)


async def test_each_mentee_reports_their_own_part_and_the_plan_shows_each(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    programme_id, activity_id, mentor, (first, second), ids = await _group(session_pool, person)
    await _report(first, mentor)
    replies = await mentor.press("Подтвердить")
    assert said(replies, "Наставник подтвердил(а)", chat_id=first.user_id)
    assert not said(replies, "Наставник подтвердил(а)", chat_id=second.user_id)
    assert not said(replies, "Все мероприятия плана подтверждены")
    programme = await _programme(session_pool, programme_id)
    assert programme.activities[0].status == ActivityStatus.PLANNED  # the second's part is open
    plan = "\n".join(texts(await mentor.send("/plan")))
    assert "░░░░░░░░ 0 %" in plan
    assert "Петрова Анна: выполнено" in plan
    assert "Козлова Вера: запланировано" in plan
    # The first cannot report again; the second still can.
    assert said(await first.send("/done"), "Отмечать нечего")
    await _report(second, mentor)
    plan = await mentor.send("/plan")  # the mentor checks from /plan, by stable ids
    replies = await mentor.press("Подтвердить 1 (Козлова Вера)")
    assert said(replies, "Наставник подтвердил(а)", chat_id=second.user_id)
    assert said(replies, "Все мероприятия плана подтверждены", chat_id=first.user_id)
    # The same button again, and a forged one for a mentee without a report: alerts only.
    stale = await mentor.press_data(f"ap:confirm:{activity_id}:{ids[1]}")
    assert stale[0].show_alert
    assert said(stale, "Уже подтверждено")  # what became of it (its buttons go, too)
    assert not [m for m in stale[1:] if not isinstance(m, EditMessageText)]
    programme = await _programme(session_pool, programme_id)
    assert programme.activities[0].status == ActivityStatus.CONFIRMED
    assert programme.progress == (1, 1)


async def test_a_mentee_cannot_report_the_mentors_activity_nor_confirm_others_parts(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    _programme_id, activity_id, mentor, (first, second), ids = await _group(session_pool, person)
    await _report(first, mentor)
    for data in (f"ap:confirm:{activity_id}:{ids[0]}", f"ap:return:{activity_id}:{ids[0]}"):
        replies = await second.press_data(data)  # not theirs to check
        assert len(replies) == 1
        assert replies[0].show_alert
    outsider = person(999_002)
    replies = await outsider.press_data(f"ap:confirm:{activity_id}:{ids[0]}")
    assert replies[0].show_alert
    replies = await mentor.press_data(f"ac:report:{activity_id}")  # the mentee's activity
    assert said(replies, "отмечает наставляемый")


async def test_the_group_agreement_needs_every_mentee(
    session_pool: async_sessionmaker[AsyncSession],
    person: Callable[..., Person],
    curator: Person,
) -> None:
    programme_id, _activity, _mentor, (first, second), _ids = await _group(
        session_pool, person, approve=False
    )
    replies = await first.press_data(f"pg:agree:{programme_id}:0")
    assert said(replies, "согласие записано")
    assert not said(replies, "Программа согласована", chat_id=curator.user_id)
    assert (await _programme(session_pool, programme_id)).status == ProgrammeStatus.SUBMITTED
    replies = await second.press_data(f"pg:agree:{programme_id}:0")
    assert said(replies, "Программа согласована", chat_id=curator.user_id)
    assert (await _programme(session_pool, programme_id)).status == ProgrammeStatus.AGREED


async def test_a_newcomer_joins_by_consent_and_order(
    session_pool: async_sessionmaker[AsyncSession],
    person: Callable[..., Person],
    curator: Person,
) -> None:
    programme_id, _activity, mentor, (first, _second), _ids = await _group(session_pool, person)
    async with session_pool() as session:
        newcomer_row = await make_teacher(session, full_name="Новикова Ольга")
        programme = await session.get(Programme, programme_id)
        pair = await join(session, programme.pair, newcomer_row)
        pair_id = pair.id
    newcomer = person(newcomer_row.telegram_id)
    assert said(await newcomer.press_data(f"pg:view:{programme_id}:0"), "недоступно")
    assert said(await newcomer.send("/plan"), "Программы пока нет")
    replies = await newcomer.press_data(f"pa:{pair_id}:1")  # their consent
    assert said(replies, "согласен(на) войти в группу", chat_id=curator.user_id)
    assert said(await newcomer.send("/plan"), "Программы пока нет")  # no order yet
    assert said(await curator.send("/requests"), "согласен(на) войти в группу")
    await curator.press("Ввести приказ")
    await curator.send("71-н")
    replies = await curator.send(on("01.10.2026"))
    assert said(replies, "включён в группу")
    # the message with «Ввести приказ» now says what became of it, and has no button left
    (decided,) = [m for m in replies if isinstance(m, EditMessageText)]
    assert "✅ Новый участник включён в группу приказом" in decided.text
    assert decided.reply_markup is None
    assert said(replies, "Вы включены в группу наставничества", chat_id=newcomer.user_id)
    assert said(replies, "Новикова Ольга включен(а) в вашу группу", chat_id=first.user_id)
    assert said(replies, "Новикова Ольга включен(а) в вашу группу", chat_id=mentor.user_id)
    assert said(await newcomer.send("/plan"), "Новикова Ольга")
    # The order button again: a decided join changes nothing.
    replies = await curator.press_data(f"jv:{pair_id}:{newcomer_row.id}")
    assert replies[0].show_alert
    async with session_pool() as session:
        pair = await get_pair(session, pair_id)
        assert newcomer_row.id in pair.mentee_ids


async def test_the_mentor_reports_their_activity_and_each_mentee_confirms(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    programme_id, _activity, mentor, (first, second), _ids = await _group(
        session_pool, person, responsible=("mentor",)
    )
    assert said(await first.send("/done"), "Отмечать нечего")  # the mentor's to report
    await mentor.send("/done")
    await mentor.press("Мероприятие 1")
    await mentor.send("Провёл открытый урок для группы")
    replies = await mentor.press("Пропустить")
    assert said(replies, "Наставляемый подтвердит")
    for mentee in (first, second):
        assert said(replies, "Ваш наставник", chat_id=mentee.user_id)
    replies = await first.press("Подтвердить")
    assert said(replies, "Петрова Анна подтвердил(а)", chat_id=mentor.user_id)
    assert (await _programme(session_pool, programme_id)).progress == (0, 1)
    replies = await second.press("Подтвердить")
    assert said(replies, "Все мероприятия плана подтверждены", chat_id=mentor.user_id)
    assert (await _programme(session_pool, programme_id)).progress == (1, 1)
