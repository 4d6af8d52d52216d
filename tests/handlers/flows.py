"""Registration steps as a person takes them, shared by the handler tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.participant import Participant, get_participant
from tests.driver import Person

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
