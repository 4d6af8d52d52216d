"""Applications addressed to the curator and the director (§7.1.3, §8.1.5): the curator decides,
the director gets a copy through the outbox and then the decision."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import StaffRole
from models.requests import Request
from rendering.ui import RequestAction
from tests.driver import Person, said
from tests.factories import make_teacher
from tests.handlers.flows import form_pair


async def a_director(session_pool: async_sessionmaker[AsyncSession], telegram_id: int) -> None:
    """The college's director, registered (the copies of §7.1.3 and §8.1.5 go to them)."""
    async with session_pool() as session:
        boss = await make_teacher(
            session, mentee=False, telegram_id=telegram_id, full_name="Бондаренко"
        )
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()


async def test_the_director_gets_a_copy_and_the_decision_not_the_buttons(
    people,
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    mentee, mentor, _other = people
    await a_director(session_pool, 5801)
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("Заменить наставника")
    await mentee.send("Не совпадают расписания")
    replies = await mentee.press("Отправить обращение")
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
    await a_director(session_pool, 5811)
    await form_pair(curator, mentee, mentor)
    await mentor.send("/request")
    await mentor.press("Освободить")
    await mentor.send("Большая нагрузка")
    replies = await mentor.press("Отправить обращение")
    assert said(replies, "Копия директору", chat_id=5811)  # a release is one too (§7.1.3)


async def test_a_release_from_duties_goes_to_the_director_who_decides(
    people,
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    mentee, mentor, _other = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    replies = await mentee.press("Освободить от должностных")
    assert said(replies, "ни у кого нет роли директора")  # refused before anything is typed
    await a_director(session_pool, 5821)
    director = person(5821)
    await mentee.send("/request")
    assert said(await mentee.press("Освободить от должностных"), "кто вас заменит")
    await mentee.send("Семинар 3 декабря, заменит Орлова")
    replies = await mentee.press("Отправить обращение")
    assert said(replies, "Новое обращение ждёт вашего решения", chat_id=5821)
    assert said(replies, "Для сведения: заявление директору", chat_id=curator.user_id)
    assert not said(replies, "Новое обращение ждёт", chat_id=curator.user_id)
    # The curator's copy has no buttons; pressing forged ones is refused before any typing.
    request_id = await _last_request_id(session_pool)
    forged = RequestAction(action="approve", request_id=request_id).pack()
    assert said(await curator.press_data(forged), "только директор")
    await director.press("Одобрить")
    replies = await director.send("Замена согласована")
    assert said(replies, "одобрено: Замена согласована", chat_id=mentee.user_id)


async def _last_request_id(session_pool: async_sessionmaker[AsyncSession]) -> int:
    async with session_pool() as session:
        return int(await session.scalar(select(func.max(Request.id))) or 0)


async def test_a_second_request_of_the_same_kind_is_refused_before_its_form(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """One open request of a kind per pair: the second is refused when its kind is chosen, not
    after the whole form was filled in (it used to come only at «Отправить обращение»)."""
    mentee, mentor, _other = people
    await a_director(session_pool, 5821)
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("Заменить наставника")
    await mentee.send("Не совпадают расписания")
    await mentee.press("Отправить обращение")
    await mentee.send("/request")
    replies = await mentee.press("Заменить наставника")
    assert said(replies, "Обращение такого вида по этой паре уже рассматривается")
    assert not said(replies, "Укажите причину")  # no question of the form was asked
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(Request)) == 1
