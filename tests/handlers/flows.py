"""Registration steps as a person takes them, shared by the handler tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.participant import Participant, get_participant
from tests.driver import Person, said
from tests.story import on

ROLE_MENTEE = "Наставляемый"
ROLE_MENTOR = "Кандидат в наставники"
ROLE_BOTH = "И то, и другое"


async def give_consent(person: Person) -> None:
    await person.send("/start")
    await person.press("Согласен")


async def fill_profile(person: Person, name: str = "Иванова Мария Петровна") -> None:
    for answer in (name, "преподаватель", "ПЦК информатики", "Информатика", "3"):
        await person.send(answer)
    await person.press("Без категории")


async def fill_mentee(person: Person) -> None:
    await person.press("Планирование и проведение занятий")
    await person.press("Готово")
    await person.press("Пропустить")
    await person.send("Хочу вести занятия интереснее")
    await person.press("Традиционное")
    await person.press("Готово")


async def fill_mentor(person: Person, agree: bool = True) -> None:
    await person.send("Проектное обучение")
    await person.send("Информатика, программирование")
    await person.press("Групповое")
    await person.press("Готово")
    await person.send("2")
    await person.press("Согласен" if agree else "Не согласен")


async def register(person: Person, role: str = ROLE_MENTEE, name: str = "Иванова Мария") -> None:
    await give_consent(person)
    await fill_profile(person, name)
    await person.press(role)
    if role in (ROLE_MENTEE, ROLE_BOTH):
        await fill_mentee(person)
    if role in (ROLE_MENTOR, ROLE_BOTH):
        await fill_mentor(person)


async def stored(pool: async_sessionmaker[AsyncSession], telegram_id: int) -> Participant | None:
    """The participant as the database has it now (a fresh session)."""
    async with pool() as session:
        return await get_participant(session, telegram_id)


async def form_pair(curator: Person, mentee: Person, mentor: Person) -> None:
    await curator.send("/pair")
    replies = await curator.press("Петрова Анна")
    assert said(replies, "1. <b>Сидоров Иван</b>")
    await curator.press("1. Сидоров Иван")
    await curator.press("Готово")
    replies = await curator.press("преподаватель – молодой преподаватель")
    # Nothing is sent before the curator has seen the summary and confirmed it.
    assert said(replies, "Проверьте предложение")
    assert said(replies, "Наставник: Сидоров Иван")
    assert not said(replies, "Куратор предлагает наставническую пару", chat_id=mentor.user_id)
    replies = await curator.press("Отправить предложение")
    assert said(replies, "Предложение отправлено")
    assert said(replies, "Куратор предлагает наставническую пару", chat_id=mentor.user_id)
    assert said(replies, "Куратор предлагает наставническую пару", chat_id=mentee.user_id)
    await mentor.press("Согласен")
    replies = await mentee.press("Согласен")
    assert said(replies, "Все согласны", chat_id=curator.user_id)
    await curator.press("Утвердить приказом")
    await curator.send("№ 62-н")  # typed with its sign: not «№ № 62-н»
    assert said(await curator.send("31.02.2026"), "Такой даты нет: 31.02.2026")
    replies = await curator.send(on("15.09.2026"))
    # The message that carried «Утвердить приказом» now says what came of it, by whom.
    assert said(replies, "✅ Пара утверждена приказом — ", chat_id=curator.user_id)
    assert said(
        replies, f"утверждена приказом № 62-н от {on('15.09.2026')}", chat_id=mentee.user_id
    )
    # Each side is told what is theirs to do.
    assert said(replies, "Составьте персонализированную программу", chat_id=mentor.user_id)
    (approved,) = [
        m
        for m in replies
        if getattr(m, "chat_id", None) == mentor.user_id and "Составьте" in m.text
    ]
    assert "Составить программу" in str(approved.reply_markup)  # a button, not only /programme
    assert not said(replies, "Составьте", chat_id=mentee.user_id)
    assert said(replies, "Наставник составляет", chat_id=mentee.user_id)


async def draft_programme(mentor: Person, activities: int) -> None:
    await mentor.send("/programme")
    await mentor.send("Освоить методику практических занятий")
    await mentor.send("Планирование занятий")
    await mentor.send("Уверенное владение цифровыми инструментами")
    await mentor.press("Готово")
    await mentor.send(on("01.09.2026"))
    assert said(await mentor.send(on("01.10.2026")), "от 3 месяцев до 1 года")
    await mentor.send(on("31.12.2026"))
    for number in range(1, activities + 1):
        await mentor.press("Добавить мероприятие")
        await mentor.send(f"Мероприятие {number}")
        await mentor.press("Пропустить")
        if number == 1:
            assert said(await mentor.send(on("15.01.2027")), "в пределах программы")
        await mentor.send(on(f"{10 + number}.10.2026"))
        await mentor.press("наставляемый")
        await mentor.press("Пропустить")  # the expected result is optional


async def set_role(curator: Person, command: str) -> list:
    """/role N ROLE and, when the summary comes, «✅ Изменить роль»: every reply together."""
    replies = await curator.send(command)
    if said(replies, "Изменить роль?"):
        replies += await curator.press("Изменить роль")
    return replies
