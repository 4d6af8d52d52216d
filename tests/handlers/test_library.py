"""/library in chat: a mentor adds a file with tags; a mentee finds it in another word form
and opens it; the curator attaches a material to a roadmap event from the stage card."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from handlers.library import LibraryAdd, LibraryDelete, LibrarySend, SendVerb
from models.outbox import OutboxMessage
from tests.driver import Person, said


async def test_a_mentor_adds_a_memo_and_a_mentee_finds_it(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _weak = people
    replies = await mentee.send("/library")
    assert said(replies, "Методическая библиотека: 0 материалов")
    assert said(await mentee.press_data(LibraryAdd().pack()), "добавляют куратор и наставники")

    await mentor.send("/library")
    assert said(await mentor.press("Добавить материал"), "Название материала")
    assert said(await mentor.send("Памятка: первая встреча с наставляемым"), "Пришлите файл")
    assert said(await mentor.send_sticker(), "Пришлите файл, ссылку или текст")
    await mentor.send("Познакомьтесь, договоритесь о графике встреч.")
    await mentor.send("Первая встреча, адаптация")
    replies = await mentor.press("для всех")
    assert said(replies, "Добавлено в библиотеку: «Памятка: первая встреча с наставляемым»")

    replies = await mentee.send("/library первой встречи")
    assert said(replies, "найдено 1")
    replies = await mentee.press("1. Памятка")
    assert said(replies, "договоритесь о графике")
    assert said(await mentee.send("/library цифровые"), "найдено 0")
    forged = LibraryDelete(material_id=1).pack()
    assert said(await mentee.press_data(forged), "недоступно")
    assert said(await mentor.press_data(forged), "Удалено из библиотеки")


async def test_the_curator_attaches_a_material_to_an_event(
    curator: Person, settings: Settings
) -> None:
    when = datetime.now(settings.timezone).date() + timedelta(days=2)
    await curator.send("/roadmap")
    await curator.press("Создать по Приложению 1")
    await curator.press("Этап 4")
    await curator.press("Добавить мероприятие")
    await curator.send(f"{when:%d.%m.%Y} 14:00; ауд. 214; Установочная сессия")
    await curator.press("наставники")
    await curator.press("Создать и пригласить")
    assert said(await curator.press("Материал к"), "Название материала")
    await curator.send("Слайды сессии")
    await curator.send("https://example.org/slides")
    await curator.send("-")
    assert said(await curator.press("для наставников"), "Добавлено в библиотеку")
    await curator.send("/roadmap")
    assert said(await curator.press("Этап 4"), "Материалы: Слайды сессии")


async def test_the_curator_sends_a_memo_to_its_audience_after_confirming(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    _mentee, mentor, _weak = people  # one mentee, two mentors
    await curator.send("/library")
    await curator.press("Добавить материал")
    await curator.send("Памятка наставляемому")
    await curator.send("Ведите дневник наблюдений.")
    await curator.send("-")
    await curator.press("для наставляемых")
    await curator.send("/library")
    await curator.press("1. Памятка")
    replies = await curator.press("Разослать адресатам")
    assert said(replies, "получателей 1 (для наставляемых)")
    async with session_pool() as session:
        broadcasts = select(func.count()).where(OutboxMessage.kind == "broadcast")
        assert await session.scalar(broadcasts) == 0
    assert said(await curator.press("Отправить"), "Поставлено в очередь отправки: получателей 1")
    async with session_pool() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "broadcast"))
        )
    assert [row.kind for row in rows] == ["broadcast"]
    assert "Ведите дневник наблюдений." in rows[0].text
    forged = LibrarySend(verb=SendVerb.SEND, material_id=1).pack()  # not a curator
    assert said(await mentor.press_data(forged), "недоступно")
