"""/mentors: a mentor agrees to be shown, a mentee asks for them with a reason; the curator is
told and sees the wish on the desk and in /pair."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.choice import AskMentor
from models.participant import get_participant
from tests.driver import Person, said, texts


async def test_a_mentee_asks_for_a_shown_mentor(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, strong, _weak = people  # Петрова Анна; Сидоров Иван, Орлова Нина (mentors)
    assert said(await mentee.send("/mentors"), "Сейчас нет свободных мест")
    assert said(await strong.send("/mentors"), "не видят вас")
    assert said(await strong.press("Показывать меня"), "Теперь наставляемые")

    replies = await mentee.send("/mentors")
    assert said(replies, "Сидоров Иван")
    assert not said(replies, "Орлова Нина")  # she has not agreed to be shown
    await mentee.press("1. Попросить")
    assert said(await mentee.send("   "), "почему этот наставник")
    replies = await mentee.send("Он ведёт информатику, как и я")
    assert said(replies, "Ваше пожелание отправлено куратору")
    assert said(replies, "просит в наставники: Сидоров Иван", chat_id=curator.user_id)

    assert said(await curator.send("/today"), "1 наставляемый попросил наставника")
    replies = await curator.press("Сформировать пару")
    assert said(replies, "Выберите наставляемого")
    await curator.press("⭐ Петрова Анна")
    replies = texts_of(curator)
    assert "⭐ Наставляемый просит: Сидоров Иван — «Он ведёт информатику, как и я»" in replies


async def test_a_hidden_mentor_cannot_be_asked_with_a_forged_button(
    people, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, _strong, weak = people
    async with session_pool() as session:
        hidden = await get_participant(session, weak.user_id)
    forged = AskMentor(mentor_id=hidden.id).pack()
    assert said(await mentee.press_data(forged), "нет в списке")


def texts_of(person: Person) -> str:
    return "\n".join(texts(person.bot.session.requests, person.user_id))
