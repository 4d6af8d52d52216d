"""Onboarding through the real dispatcher: consent, the form, curators' notices."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import MentorStatus, ParticipantStatus
from tests.conftest import CURATOR_ID
from tests.driver import Person, said, texts
from tests.handlers.flows import (
    ROLE_BOTH,
    ROLE_MENTOR,
    fill_mentee,
    fill_mentor,
    fill_profile,
    form_pair,
    give_consent,
    register,
    stored,
)
from tests.mocked_bot import MockedBot


async def test_start_shows_the_programme_and_the_consent_before_asking_anything(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(2001)
    replies = await teacher.send("/start")

    sent = texts(replies)
    assert "помощник программы наставничества" in sent[0]
    assert "Согласие на обработку персональных данных" in sent[1]
    assert "ГБПОУ «МТТК»" in sent[1]
    assert "pd-2026.1" in sent[1]
    _, markup = teacher.last_markup()
    assert [b.text for row in markup.inline_keyboard for b in row] == [
        "Согласен(на)",
        "Не согласен(на)",
    ]
    participant = await stored(session_pool, 2001)
    assert participant is not None
    assert participant.status == ParticipantStatus.NEW


async def test_consent_is_thanked_for_in_the_first_question_and_asked_again_without_it(
    person: Callable[..., Person],
) -> None:
    """After «I agree»: the consent message shows the decision, and one message thanks and asks
    the first question (it was two messages: the thanks, then the question). Asked again after
    /cancel, the question comes without the thanks."""
    teacher = person(2003)
    await teacher.send("/start")
    replies = await teacher.press("Согласен")
    sent = [m for m in replies if isinstance(m, SendMessage)]
    assert len(sent) == 1
    assert "Спасибо, согласие записано" in sent[0].text
    assert sent[0].text.endswith("Ваши фамилия, имя, отчество:")
    await teacher.send("/cancel")
    await teacher.send("/start")
    again = await teacher.press("Продолжить с того места")
    assert said(again, "Ваши фамилия, имя, отчество")
    assert not said(again, "Спасибо")


async def test_declining_keeps_only_the_telegram_id(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(2002)
    await teacher.send("/start")
    replies = await teacher.press("Не согласен")

    assert said(replies, "не сохранено ничего, кроме идентификатора Telegram")
    participant = await stored(session_pool, 2002)
    assert participant is not None
    assert participant.status == ParticipantStatus.DECLINED
    assert participant.full_name is None


async def test_a_mentee_registers_and_the_curator_is_told(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    teacher = person(2003)
    await register(teacher, name="Петрова Анна Сергеевна")

    requests = bot.session.requests
    assert said(requests, "Спасибо, регистрация завершена!", chat_id=2003)
    notice = [m for m in requests if isinstance(m, SendMessage) and m.chat_id == CURATOR_ID]
    assert len(notice) == 1
    assert "Новая регистрация: <b>Петрова Анна Сергеевна</b>" in notice[0].text
    assert "Наставляемый" in notice[0].text
    assert notice[0].reply_markup is None  # nothing to decide for a mentee

    participant = await stored(session_pool, 2003)
    assert participant is not None
    assert participant.status == ParticipantStatus.ACTIVE
    assert participant.mentee_profile is not None
    assert participant.mentee_profile.difficulties == ["lesson_design"]
    assert participant.mentee_profile.mentee_forms == ["traditional"]


async def test_the_curator_accepts_a_mentor_candidate_with_one_button(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    mentor = person(2004)
    await register(mentor, role=ROLE_MENTOR, name="Сидоров Иван")
    assert said(bot.session.requests, "Куратор рассмотрит вашу заявку", chat_id=2004)

    replies = await curator.press("Принять в банк наставников")
    assert said(replies, "Включён(а) в банк наставников. Решение: Куратор", chat_id=CURATOR_ID)
    assert said(replies, "Хорошая новость", chat_id=2004)
    participant = await stored(session_pool, 2004)
    assert participant is not None
    assert participant.mentor_profile is not None
    assert participant.mentor_profile.status == MentorStatus.ACCEPTED
    assert participant.mentor_profile.decided_by_telegram_id == CURATOR_ID

    again = await curator.press_data(f"md:{participant.id}:0")
    assert said(again, "Уже решено: в банке наставников")


async def test_declining_the_mentor_consent_keeps_a_both_registrant_as_mentee(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(2005)
    await give_consent(teacher)
    await fill_profile(teacher)
    await teacher.press(ROLE_BOTH)
    await fill_mentee(teacher)
    await fill_mentor(teacher, agree=False)

    participant = await stored(session_pool, 2005)
    assert participant is not None
    assert participant.status == ParticipantStatus.ACTIVE
    assert participant.mentee_profile is not None
    assert participant.mentor_profile is None


async def test_only_curators_can_decide_on_candidates(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentor = person(2006)
    await register(mentor, role=ROLE_MENTOR)
    participant = await stored(session_pool, 2006)
    assert participant is not None

    intruder = person(2007)
    replies = await intruder.press_data(f"md:{participant.id}:1")
    assert said(replies, "Эта кнопка больше не действует")
    assert said(await intruder.send("/candidates"), "только кураторам")
    participant = await stored(session_pool, 2006)
    assert participant is not None
    assert participant.mentor_profile is not None
    assert participant.mentor_profile.status == MentorStatus.CANDIDATE


async def test_candidates_lists_those_waiting(
    person: Callable[..., Person], curator: Person
) -> None:
    assert said(await curator.send("/candidates"), "Нет кандидатов")
    await register(person(2008), role=ROLE_MENTOR, name="Кузнецова Ольга")
    replies = await curator.send("/candidates")
    assert said(replies, "ожидающих решения: 1")
    assert said(replies, "Кузнецова Ольга")


async def test_registration_completes_even_if_a_curator_blocked_the_bot(
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    bot.session.blocked.add(CURATOR_ID)
    teacher = person(2009)
    await register(teacher)
    assert said(bot.session.requests, "регистрация завершена", chat_id=2009)
    participant = await stored(session_pool, 2009)
    assert participant is not None
    assert participant.status == ParticipantStatus.ACTIVE


async def test_start_continues_an_unfinished_registration(person: Callable[..., Person]) -> None:
    teacher = person(2010)
    await give_consent(teacher)
    await teacher.send("Иванова Мария")
    await teacher.send("преподаватель")
    cancelled = await teacher.send("/cancel")
    assert said(cancelled, "Ваши ответы сохранены; отправьте /start, чтобы продолжить регистрацию")
    offered = await teacher.send("/start")
    assert said(offered, "Вы прервали регистрацию, дав 2 ответа")
    # Where the person stopped: the department, with the earlier answers kept.
    assert said(await teacher.press("Продолжить с того места"), "Ваша предметно-цикловая комиссия")
    await teacher.send("/cancel")
    await teacher.send("/start")
    assert said(await teacher.press("Начать регистрацию заново"), "Ваши фамилия, имя, отчество")


async def test_a_command_inside_a_form_asks_before_dropping_it(
    person: Callable[..., Person],
) -> None:
    teacher = person(2013)
    await give_consent(teacher)
    await teacher.send("Иванова Мария")
    asked = await teacher.send("/profile")
    assert said(asked, "Вы не закончили заполнять форму")
    assert said(await teacher.press("Продолжить с того же места"), "Ваша должность")
    await teacher.send("/plan")
    dropped = await teacher.press("Начать заново")
    assert said(dropped, "Незаконченные ответы удалены. Отправьте /plan ещё раз.")
    assert said(await teacher.send("/start"), "Ваши фамилия, имя, отчество")


async def test_back_returns_to_the_previous_question(person: Callable[..., Person]) -> None:
    teacher = person(2011)
    await give_consent(teacher)
    await teacher.send("Иванова Мария")
    replies = await teacher.press("Назад")
    assert said(replies, "Ваши фамилия, имя, отчество")
    assert said(await teacher.send("Иванова Мария Петровна"), "Ваша должность")


async def test_a_registered_person_is_welcomed_back(person: Callable[..., Person]) -> None:
    teacher = person(2012)
    await register(teacher, name="Орлова Нина")
    assert said(await teacher.send("/start"), "С возвращением, Орлова Нина!")


async def test_a_programme_draft_is_offered_again_after_cancel(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """Not only the registration: a form stopped with /cancel (here the programme draft) is
    offered by the next /start, at the step where it stopped, with the answers kept."""
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)
    await mentor.send("/programme")
    await mentor.send("Освоить методику практических занятий")
    cancelled = await mentor.send("/cancel")
    assert said(cancelled, "ответы сохранены; /start предложит продолжить")
    offered = await mentor.send("/start")
    assert said(offered, "Вы остановили проект программы командой /cancel")
    resumed = await mentor.press("Продолжить с того места")
    assert said(resumed, "затруднения")  # the second question, not the first
    await mentor.send("Планирование занятий")
    await mentor.send("Уверенное владение цифровыми инструментами")
    asked = await mentor.press("Готово")
    assert said(asked, "Дата начала")


async def test_a_request_and_a_profile_change_are_offered_again_with_their_question(
    people, curator: Person
) -> None:
    mentee, mentor, _weak = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("Заменить наставника")
    await mentee.send("/cancel")
    assert said(await mentee.send("/start"), "Вы остановили обращение командой /cancel")
    resumed = await mentee.press("Продолжить с того места")
    assert said(resumed, "Укажите причину")  # the question of the step, asked again
    assert said(await mentee.send("Не совпадают расписания"), "Отправить обращение?")

    await mentor.send("/profile")
    await mentor.press("Должность")
    await mentor.send("/cancel")
    await mentor.send("/start")
    assert said(await mentor.press("Продолжить с того места"), "Ваша должность")
    # «Удалить» of a later offer drops the kept answers.
    await mentor.send("/cancel")
    await mentor.send("/start")
    assert said(await mentor.press("Удалить"), "Незаконченные ответы удалены")
    assert not said(await mentor.send("/start"), "Вы остановили")
