"""Applications addressed to the curator and the director (§7.1.3, §8.1.5): the curator decides,
the director gets a copy through the outbox and then the decision."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import StaffRole
from tests.driver import Person, said
from tests.factories import make_teacher
from tests.handlers.flows import form_pair


async def test_the_director_gets_a_copy_and_the_decision_not_the_buttons(
    people,
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    mentee, mentor, _other = people
    async with session_pool() as session:
        boss = await make_teacher(session, mentee=False, telegram_id=5801, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("заменить наставника")
    replies = await mentee.send("Не совпадают расписания")
    assert said(replies, "Новое обращение ждёт вашего решения", chat_id=curator.user_id)
    assert said(replies, "Копия директору", chat_id=5801)
    assert said(replies, "Не совпадают расписания", chat_id=5801)
    assert not said(replies, "Новое обращение ждёт вашего решения", chat_id=5801)
    assert not said(replies, "Копия директору", chat_id=curator.user_id)

    await curator.press("Одобрить")
    replies = await curator.send("Подберём другого наставника")
    assert said(replies, "одобрено: Подберём другого наставника", chat_id=mentee.user_id)
    assert said(replies, "одобрено: Подберём другого наставника", chat_id=5801)


async def test_other_requests_bring_the_director_no_copy(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _other = people
    async with session_pool() as session:
        boss = await make_teacher(session, mentee=False, telegram_id=5811, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    await form_pair(curator, mentee, mentor)
    await mentor.send("/request")
    await mentor.press("освободить")
    replies = await mentor.send("Большая нагрузка")
    assert said(replies, "Копия директору", chat_id=5811)  # a release is one too (§7.1.3)
