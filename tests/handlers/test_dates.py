"""Dates as people type them (one parser for every date question), no such date, unlikely dates
asked again, and a full name of at least two words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.factory import create_dispatcher
from models.errors import InvalidValue
from models.fields import parse_date
from models.journal import Meeting
from models.pairs import Pair
from tests.domain.test_changes import make_group_programme
from tests.driver import Person, detach_routers, said, texts
from tests.factories import college_today
from tests.handlers.flows import form_pair, give_consent
from tests.handlers.test_roadmap import FixedClock
from tests.mocked_bot import MockedBot

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("typed", "prefer", "expected"),
    [
        ("25.11.26", "current_period", date(2026, 11, 25)),
        ("5/3/2027", "current_period", date(2027, 3, 5)),
        ("сегодня", "past", TODAY),
        ("завтра", "future", date(2026, 11, 26)),
        ("Завтра", "future", date(2026, 11, 26)),
        ("15 марта", "future", date(2027, 3, 15)),
        ("15 марта", "past", date(2026, 3, 15)),
        ("через 2 недели", "future", date(2026, 12, 9)),
        ("tomorrow", "future", date(2026, 11, 26)),
    ],
)
def test_dates_typed_as_people_type_them(typed: str, prefer: str, expected: date) -> None:
    assert parse_date(typed, TODAY, prefer) == expected


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("31.02.2026", "There is no such date"),
        ("29.02.2027", "There is no such date"),
        ("5", "Please type the date"),
        ("когда-нибудь", "Please type the date"),
        ("01.01.1999", "Please check the year"),
    ],
)
def test_what_is_not_a_date_is_told_why(typed: str, answer: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_date(typed, TODAY)
    assert refused.value.message.startswith(answer)


async def test_an_order_dated_years_ahead_is_asked_again(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await curator.send("/pair")
    await curator.press("Петрова Анна")
    await curator.press("1. Сидоров Иван")
    await curator.press("Готово")
    await curator.press("преподаватель – молодой преподаватель")
    await curator.press("Отправить предложение")
    await mentor.press("Согласен")
    await mentee.press("Согласен")
    await curator.press("Утвердить приказом")
    await curator.send("62-н")
    assert said(await curator.send("31.02.2026"), "Такой даты нет: 31.02.2026")
    # years ahead of the college's today, whatever day the suite runs
    first = college_today() + timedelta(days=3 * 365)
    second = first + timedelta(days=365)
    asked = await curator.send(f"{first:%d.%m.%Y}")
    assert said(asked, "больше чем на год вперёд"), texts(asked)
    assert said(asked, f"отправьте {first:%d.%m.%Y} ещё раз")
    async with session_pool() as session:
        assert (await session.scalar(select(Pair))).order_date is None
    # Another unlikely date is asked about in its turn; the same one typed again is taken.
    assert said(await curator.send(f"{second:%d.%m.%Y}"), f"отправьте {second:%d.%m.%Y} ещё раз")
    assert said(await curator.send(f"{second:%d.%m.%Y}"), "утверждена приказом")
    async with session_pool() as session:
        assert (await session.scalar(select(Pair))).order_date == second


async def test_a_meeting_dated_in_words(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/meeting")
    assert said(await mentee.send("сегодня"), "Тема встречи")
    await mentee.send("Тема")
    await mentee.send("Сделано")
    await mentee.send("Итог")
    await mentee.press("Пропустить")
    async with session_pool() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert meeting.held_on == datetime.now(ZoneInfo("Europe/Moscow")).date()  # the bot's day


async def test_a_full_name_needs_a_surname_and_a_first_name(person) -> None:
    teacher: Person = person(7101)
    await give_consent(teacher)
    assert said(await teacher.send("Юрьевна"), "хотя бы фамилию и имя")
    assert said(await teacher.send("Андросова Людмила"), "должность")


async def test_a_proposed_changes_dates_in_words_count_from_the_colleges_day(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    bot: MockedBot,
) -> None:
    """«завтра» typed for a new deadline is the college's tomorrow by the bot's clock — not the
    machine's (its UTC day is still the 5th at 01:30 in Moscow) nor the real day."""
    late_evening = datetime(2026, 10, 5, 22, 30, tzinfo=UTC)  # 6 October, 01:30 in Moscow
    dispatcher = create_dispatcher(
        settings, session_pool, storage=MemoryStorage(), clock=FixedClock(late_evening)
    )
    try:
        async with session_pool() as session:
            _programme, people = await make_group_programme(session)
        mentor = Person(dispatcher, bot, people[0].telegram_id)  # type: ignore[arg-type]
        await mentor.send("/plan")
        await mentor.press("Предложить изменение")
        await mentor.press("Изменить мероприятие")
        await mentor.press("Мероприятие 1")
        await mentor.press("Срок")
        await mentor.send("завтра")
        summary = await mentor.send("Урок перенесли")
        assert said(summary, "15.10.2026 → 07.10.2026"), texts(summary)
        await mentor.send("/cancel")
        # «15 марта» for the new end date is the coming one, not this year's past March.
        await mentor.send("/plan")
        await mentor.press("Предложить изменение")
        await mentor.press("Перенести дату окончания")
        await mentor.send("15 марта")
        summary = await mentor.send("Нужно больше времени")
        assert said(summary, "→ 15.03.2027"), texts(summary)
    finally:
        detach_routers(dispatcher)
