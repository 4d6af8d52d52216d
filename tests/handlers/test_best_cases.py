"""Through the real dispatcher: the mentor describes a best practice from /library, the curator
approves it from the notice (the outcome line), the mentor is told; an event's guests get a
material attached to it; a mentee's wish on the curator's card and withdrawn; the director's
decisions reach the curators and the curators' order the director; a press under an old
message in /library and /mentors still answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aiogram.methods import EditMessageText
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from handlers.choice import AskMentor
from handlers.library import LibraryAdd, LibraryOpen
from models.enums import ProgrammeStatus, StaffRole
from models.library import add_material
from models.participant import Participant, get_participant
from models.programmes import Programme
from models.roadmap import Audience, create_event, create_roadmap, stages_of
from rendering.ui import PairApproval, PickMentee
from tests.driver import Person, said, texts
from tests.factories import CURATOR, make_accepted_pair, make_running_programme, make_teacher
from tests.handlers.flows import set_role
from tests.handlers.test_director import menu_of
from tests.mocked_bot import MockedBot
from tests.story import on


async def test_a_mentor_describes_a_best_practice_and_the_curator_approves_it(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        programme.status = ProgrammeStatus.COMPLETED
        programme.ended_at = datetime.now(UTC)
        await session.commit()
        mentor_row = await session.get(Participant, programme.pair.mentor_id)
        assert mentor_row is not None
    mentor = person(mentor_row.telegram_id)
    await mentor.send("/library")
    assert said(await mentor.press("Описать программу №"), "1 из 4 — цель")
    await mentor.send("Освоить проектное обучение")
    await mentor.send("Три открытых урока")
    await mentor.send("Проект студентов защищён")
    replies = await mentor.send("Начинать с малого")
    assert said(replies, "Отправлено куратору на утверждение")
    assert said(replies, "описал(а) лучшую практику, на утверждение", chat_id=curator.user_id)

    assert said(await curator.send("/today"), "1 описание лучшей практики ждёт вашего утверждения")
    assert said(await curator.press("Раздел на сайте"), "Раздел наставничества на сайте")
    replies = await curator.press("Лучшая практика №")  # from /publish: the card to decide
    assert said(replies, "Три открытых урока")
    replies = await curator.press("Утвердить", on_message=True)
    decided = [m for m in replies if isinstance(m, EditMessageText)]
    assert decided
    assert "✅ Утверждено: лучший кейс" in decided[-1].text
    assert "Куратор" in decided[-1].text  # who decided
    assert said(replies, "Куратор утвердил ваше описание", chat_id=mentor.user_id)
    async with session_pool() as session:
        done = await session.get(Programme, programme.id)
        assert done is not None
        assert done.best_case
    replies = await mentor.send("/library")
    assert said(replies, "Методическая библиотека")
    assert said(await mentor.press("Лучшие практики (1)"), "Сборник лучших практик")
    assert said(await mentor.press("№"), "Три открытых урока")


async def test_a_material_attached_to_an_event_reaches_its_guests(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        guest = await make_teacher(session, full_name="Петрова Анна")
        roadmap = await create_roadmap(session, CURATOR, datetime.now(UTC).date())
        stage = (await stages_of(session, roadmap.id))[3]
        event, _guests = await create_event(
            session,
            CURATOR,
            stage.id,
            starts_at=datetime(2027, 1, 20, 11, tzinfo=UTC),
            place="ауд. 214",
            title="Установочная сессия",
            audience=Audience.EVERYONE,
            department=None,
        )
    await curator.press_data(LibraryAdd(event_id=event.id).pack())
    await curator.send("Памятка к сессии")
    await curator.send("Приходите с планом занятия")
    await curator.send("-")
    replies = await curator.press("для всех")
    assert said(replies, "Добавлено в библиотеку")
    assert said(replies, "Материал к мероприятию «Установочная сессия»", chat_id=guest.telegram_id)
    assert said(replies, "«Памятка к сессии»", chat_id=guest.telegram_id)


async def test_the_wish_on_the_card_and_withdrawn(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, strong, _weak = people
    await strong.send("/mentors")
    await strong.press("Показывать меня")
    await mentee.send("/mentors")
    await mentee.press("1. Попросить")
    await mentee.send("Он ведёт информатику, как и я")
    async with session_pool() as session:
        asking = await get_participant(session, mentee.user_id)
        assert asking is not None
    await curator.send("/participants Петрова")
    card = await curator.press("Петрова Анна")
    assert said(card, "Пожелание наставляемого"), texts(card)
    assert said(card, "Просит в наставники: Сидоров Иван")
    assert said(await mentee.send("/mentors"), "Ваше пожелание: наставник Сидоров Иван")
    replies = await mentee.press("Отозвать пожелание")
    assert said(replies, "Пожелание отозвано")
    assert not said(await curator.send("/today"), "попросил наставника")
    assert not said(await curator.press_data(PickMentee(mentee_id=asking.id).pack()), "⭐")
    assert said(await mentee.press("Отозвать пожелание"), "нет пожелания")


async def test_the_director_and_the_curators_see_each_others_decisions(
    curator: Person,
    person: Callable[..., Person],
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        boss = await make_teacher(session, mentee=False, telegram_id=5701, full_name="Бондаренко")
        pair = await make_accepted_pair(session)
    await set_role(curator, f"/role {boss.id} директор")
    director = person(5701)
    assert "requests" in menu_of(bot, 5701)  # the pairs to sign are in the director's menu
    assert said(await director.send("/requests"), "Внесите приказ директора")

    await curator.send("/roadmap")
    await curator.press("Создать по Приложению 1")
    await director.send("/roadmap")
    replies = await director.press("Утвердить дорожную карту")
    assert said(replies, "Директор Бондаренко утвердил(а) дорожную карту", chat_id=curator.user_id)
    assert not said(replies, "утвердил(а) дорожную карту", chat_id=director.user_id)

    await curator.press_data(PairApproval(pair_id=pair.id).pack())
    await curator.send("17-к")
    replies = await curator.send(on("20.11.2026"))
    assert said(replies, "Пара утверждена")
    assert said(replies, f"Пара №{pair.id} утверждена приказом директора № 17-к", chat_id=5701)
    assert not said(replies, f"Пара №{pair.id} утверждена приказом", chat_id=curator.user_id)


async def test_pairing_can_wait_for_the_directors_bank_approval(
    people,
    curator: Person,
    person: Callable[..., Person],
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    mentee, _strong, _weak = people
    async with session_pool() as session:
        boss = await make_teacher(session, mentee=False, telegram_id=5711, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
        asking = await get_participant(session, mentee.user_id)
        assert asking is not None
    settings.pairing_needs_bank_approval = True
    await curator.send("/pair")
    await curator.press("Петрова Анна")
    await curator.press("1. Сидоров Иван")
    await curator.press("Готово")
    await curator.press("преподаватель – молодой преподаватель")
    replies = await curator.press("Отправить предложение")
    assert said(replies, "ещё не утверждена директором"), texts(replies)
    settings.pairing_needs_bank_approval = False  # the default: the approval is not waited for
    await curator.send("/pair")
    await curator.press("Петрова Анна")
    await curator.press("1. Сидоров Иван")
    await curator.press("Готово")
    await curator.press("преподаватель – молодой преподаватель")
    assert said(await curator.press("Отправить предложение"), "Предложение отправлено")


async def test_library_and_choice_answer_under_an_old_message(
    people, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, strong, _weak = people
    async with session_pool() as session:
        material = await add_material(session, CURATOR, title="Памятка", content="Текст памятки")
        shown = await get_participant(session, strong.user_id)
        assert shown is not None
        assert shown.mentor_profile is not None
        shown.mentor_profile.shown_to_mentees = True
        await session.commit()
    replies = await mentee.press_data(LibraryOpen(material_id=material.id).pack(), old=True)
    assert said(replies, "Текст памятки"), texts(replies)
    replies = await mentee.press_data(AskMentor(mentor_id=shown.id).pack(), old=True)
    assert said(replies, "Почему этот наставник"), texts(replies)
