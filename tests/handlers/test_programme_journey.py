"""The whole journey through the dispatcher: pair → consent → order → programme → reports →
completion → questionnaire; plus replacement, access refusals and bad dates."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import EditMessageText
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import PairStatus, ProgrammeStatus
from models.pairs import MentorReplacement, Pair, excluded
from models.participant import get_participant
from models.programmes import Programme
from models.surveys import SurveyAnswer
from tests.driver import Person, said, texts
from tests.handlers.flows import draft_programme, form_pair
from tests.story import day, on


async def test_the_whole_programme_journey(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)
    await draft_programme(mentor, activities=3)
    replies = await mentor.press("Отправить наставляемому")
    assert said(replies, "Наставник составил(а) проект", chat_id=mentee.user_id)
    replies = await mentee.press("Согласен")
    assert said(replies, "Программа согласована", chat_id=curator.user_id)
    replies = await curator.press("Утвердить программу")
    assert said(replies, "Куратор утвердил(а) программу", chat_id=mentee.user_id)

    plan = await mentee.send("/plan")
    assert said(plan, "░░░░░░░░ 0 %")
    for number in range(1, 4):
        await mentee.send("/done")
        await mentee.press(f"Мероприятие {number}")
        await mentee.send("Провела и проанализировала")
        replies = await mentee.press("Пропустить")
        assert said(replies, "отметил(а) выполнение мероприятия", chat_id=mentor.user_id)
        replies = await mentor.press("Подтвердить")
        assert said(replies, "Наставник подтвердил(а)", chat_id=mentee.user_id)
    assert said(replies, "Все мероприятия плана подтверждены", chat_id=mentee.user_id)
    assert said(await mentee.send("/plan"), "▓▓▓▓▓▓▓▓ 100 %")

    await mentee.press("Завершить программу")
    replies = await mentor.press("Завершить программу")
    assert said(replies, "программа завершена", chat_id=mentee.user_id)
    for person in (mentee, mentor):
        await person.press("Заполнить анкету")
        if person is mentee:  # a rating typed instead of tapped is taken too
            assert said(await person.send("шесть"), "от 1 до 5")
            assert said(await person.send("4"), "Вопрос 2 из 4")
        for _question in range(3 if person is mentee else 4):
            await person.press("5")
        assert said(await person.press("Пропустить"), "Спасибо! Ваши ответы")

    async with session_pool() as session:
        programme = await session.scalar(select(Programme))
        assert programme is not None
        assert programme.status == ProgrammeStatus.COMPLETED
        assert programme.pair.status == PairStatus.CLOSED
        assert await session.scalar(select(func.count()).select_from(SurveyAnswer)) == 2


async def test_a_replacement_is_approved_and_the_new_mentor_takes_over(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, other = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("Заменить наставника")
    await mentee.send("Не совпадают расписания")
    replies = await mentee.press("Отправить обращение")
    assert said(replies, "Новое обращение ждёт вашего решения", chat_id=curator.user_id)
    # the card names the pair's people, not «Пара №1» alone
    assert said(replies, "Наставник: Сидоров Иван; наставляемые: Петрова Анна", curator.user_id)
    await curator.press("Одобрить")
    replies = await curator.send("Подберём другого наставника")
    assert said(replies, "одобрено: Подберём другого наставника", chat_id=mentee.user_id)
    # the comment was written for the mentee: the mentor being replaced never reads it
    assert texts(replies, mentor.user_id) == []
    assert said(replies, "Выберите нового наставника для Петровой Анны")
    replies = await curator.press("Орлова Нина")
    proposal = [t for t in texts(replies, other.user_id) if "стать наставником" in t]
    assert len(proposal) == 1, texts(replies, other.user_id)
    # the new mentor sees the mentee and the programme, not the old mentor as if current
    assert "Петрова Анна" in proposal[0]
    assert "Сидоров" not in proposal[0]
    assert "Программа ещё не составлена" in proposal[0]
    # meanwhile the curator sees where the change stands (it was in neither list)
    assert said(
        await curator.send("/requests"),
        "Замена наставника для Петровой Анны: ждём согласия Орловой Нины.",
    )
    replies = await other.press("Согласен")
    assert said(replies, "Ваш новый наставник — Орлова Нина", chat_id=mentee.user_id)
    to_old = [t for t in texts(replies, mentor.user_id) if t != "Спасибо, ваше согласие записано."]
    assert len(to_old) == 1, to_old
    assert "продолжает другой наставник" in to_old[0]  # neutral: no reason, no comment
    assert "расписания" not in to_old[0]
    assert "Подберём" not in to_old[0]
    assert said(replies, "Внесите приказ директора о замене наставника", chat_id=curator.user_id)
    # like pairing: the change waits for its order in /requests, then number and date
    assert said(await curator.send("/requests"), "Замена наставника (Петрова Анна)")
    await curator.press("Ввести приказ")
    await curator.send("№ 71-н")
    replies = await curator.send(on("20.09.2026"))
    assert said(replies, f"Замена наставника оформлена приказом № 71-н от {on('20.09.2026')}")
    (decided,) = [m for m in replies if isinstance(m, EditMessageText)]  # «Ввести приказ»
    assert "✅ Замена наставника оформлена приказом" in decided.text
    assert decided.reply_markup is None
    assert not said(await curator.send("/requests"), "Замена наставника (")
    async with session_pool() as session:
        pair = await session.scalar(select(Pair))
        new_mentor = await get_participant(session, other.user_id)
        old_mentor = await get_participant(session, mentor.user_id)
        replacement = await session.scalar(select(MentorReplacement))
        assert pair is not None
        assert new_mentor is not None
        assert old_mentor is not None
        assert pair.mentor_id == new_mentor.id
        assert pair.status == PairStatus.ACTIVE
        assert await excluded(session, old_mentor.id, pair.mentee_ids[0])
        assert replacement is not None
        assert (replacement.order_number, replacement.order_date) == ("71-н", day("20.09.2026"))


async def test_a_rejected_replacement_is_told_to_the_mentee_only(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _other = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("Заменить наставника")
    await mentee.send("Не совпадают расписания")
    await mentee.press("Отправить обращение")
    await curator.press("Отклонить")
    replies = await curator.send("Поговорите сначала с наставником")
    assert said(replies, "отклонено: Поговорите сначала", chat_id=mentee.user_id)
    assert texts(replies, mentor.user_id) == []


async def test_forged_buttons_for_someone_elses_programme_are_refused(
    people, curator: Person, person: Callable[..., Person], session_pool
) -> None:
    mentee, mentor, _ = people
    await form_pair(curator, mentee, mentor)
    await draft_programme(mentor, activities=1)
    async with session_pool() as session:
        programme = await session.scalar(select(Programme))
        activity_id = programme.activities[0].id
    outsider = person(999_001)
    for data in (
        f"pg:view:{programme.id}:0",
        f"pg:approve:{programme.id}:0",
        f"pg:submit:{programme.id}:0",
        f"ac:confirm:{activity_id}",
        f"ac:report:{activity_id}",
        f"pa:{programme.pair_id}:1",
    ):
        replies = await outsider.press_data(data)
        assert len(replies) == 1, data
        assert replies[0].show_alert, data
    # The mentee may not approve or edit the mentor's draft either.
    assert said(await mentee.press_data(f"pg:submit:{programme.id}:0"), "недоступно")
    assert said(await mentee.press_data(f"pg:add:{programme.id}:0"), "недоступно")
