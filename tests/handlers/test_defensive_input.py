"""Defensive input (issue 12, item 8): dates are checked against a sane window at the step
where they are typed (not after the whole form); bidi and zero-width controls never reach the
database or the curators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.fields import FIELDS, InvalidValue, parse_date, printable
from models.journal import Meeting
from models.pairs import Pair
from tests.driver import Person, said, texts
from tests.handlers.flows import fill_profile, form_pair, stored
from tests.story import on


@pytest.mark.parametrize("typed", ["01.01.1900", "31.12.2999", "15.10.1999"])
def test_a_year_outside_the_window_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue):
        parse_date(typed, date(2026, 10, 1))
    assert parse_date("15.10.2026", date(2026, 10, 1)).year == 2026


async def test_a_meeting_in_the_future_is_refused_at_the_date_step(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/meeting")
    for typed, answer in (("01.01.2999", "Проверьте год"), ("01.01.2099", "ещё не наступила")):
        replies = await mentee.send(typed)
        assert said(replies, answer), texts(replies)
    replies = await mentee.send("01.09.2026")  # the same step, answered properly
    assert said(replies, "Тема встречи"), texts(replies)
    await mentee.send("Тема")
    await mentee.send("Сделано")
    await mentee.send("Итог")
    assert said(await mentee.press("Пропустить"), "Встреча записана в журнал")
    async with session_pool() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert (meeting.topic, meeting.done, meeting.result) == ("Тема", "Сделано", "Итог")


async def test_an_order_dated_1900_is_refused_at_its_step(
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
    assert said(await curator.send("01.01.1900"), "Проверьте год")
    async with session_pool() as session:
        pair = await session.scalar(select(Pair))
    assert pair is not None
    assert pair.order_date is None
    assert said(await curator.send(on("15.09.2026")), "утверждена приказом")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("орлова ольга", "Орлова Ольга"),
        ("ОРЛОВА ОЛЬГА ПЕТРОВНА", "Орлова Ольга Петровна"),
        ("римская-корсакова анна", "Римская-Корсакова Анна"),
        ("ван дер Берг Анна", "ван дер Берг Анна"),  # capitals of its own: as typed
    ],
)
def test_a_name_typed_in_one_case_is_stored_with_capitals(typed: str, stored: str) -> None:
    """A phone keyboard without auto-capitals («орлова ольга») must not reach the orders and
    the curator's notices as typed."""
    assert FIELDS["full_name"].clean(typed) == stored


def test_bidi_and_zero_width_controls_are_stripped() -> None:
    typed = "Ива\u202eнова\u200b Ма\u2066рия\u200d\ufeff"
    assert printable(typed) == "Иванова Мария"
    assert FIELDS["full_name"].clean(typed) == "Иванова Мария"
    assert FIELDS["comment"].clean("Отчёт\u202e.exe\u200f") == "Отчёт.exe"


async def test_a_name_with_an_override_reaches_nobody_with_it(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(5301)
    await teacher.send("/start")
    await teacher.press("Согласен")
    await fill_profile(teacher, name="Петро\u202eва Анна")
    after = await stored(session_pool, 5301)
    assert after is not None
    assert after.full_name == "Петрова Анна"
