"""/profile editing, /consent withdrawal, /lang, /help and the command menus."""

from __future__ import annotations

import json
from collections.abc import Callable

from aiogram import Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import SetMyCommands
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.factory import on_startup
from models.enums import ParticipantStatus
from models.outbox import OutboxMessage
from tests.conftest import CURATOR_ID
from tests.driver import Person, said
from tests.factories import make_teacher
from tests.handlers.flows import ROLE_BOTH, fill_mentor, register, stored
from tests.mocked_bot import MockedBot


async def test_profile_shows_the_card_and_edits_a_typed_field(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(4001)
    await register(teacher)
    replies = await teacher.send("/profile")
    assert said(replies, "ФИО: Иванова Мария")
    assert said(replies, "Анкета наставляемого")

    assert said(await teacher.press("Педагогический стаж"), "Сейчас: 3")
    assert said(await teacher.send("сто"), "целое число от 0 до 60")
    assert said(await teacher.send("4"), "Сохранено.")
    participant = await stored(session_pool, 4001)
    assert participant is not None
    assert participant.experience_years == 4


async def test_profile_edits_a_multi_select_field(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(4002)
    await register(teacher)
    await teacher.send("/profile")
    await teacher.press("Предпочтительные формы")
    await teacher.press("Традиционное")  # untick the one chosen at registration
    assert said(await teacher.press("Готово"), "Выберите хотя бы один вариант")
    await teacher.press("Скоростное")
    await teacher.press("Виртуальное")
    assert said(await teacher.press("Готово"), "Сохранено.")
    participant = await stored(session_pool, 4002)
    assert participant is not None
    assert participant.mentee_profile is not None
    assert participant.mentee_profile.mentee_forms == ["virtual", "speed"]


async def test_a_mentee_applies_as_mentor_later_from_the_profile(
    person: Callable[..., Person], bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(4003)
    await register(teacher)
    await teacher.send("/profile")
    assert said(await teacher.press("Стать наставником"), "Ваши компетенции")
    await fill_mentor(teacher)
    assert said(bot.session.requests, "Добавлена анкета", chat_id=CURATOR_ID)
    participant = await stored(session_pool, 4003)
    assert participant is not None
    assert participant.mentor_profile is not None


async def test_withdrawing_consent_asks_first_then_erases_and_tells_the_curator(
    person: Callable[..., Person], bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(4004)
    await register(teacher, role=ROLE_BOTH, name="Смирнова Елена")
    replies = await teacher.send("/consent")
    assert said(replies, "Согласие на обработку персональных данных, редакция pd-2026.1: дано")
    assert said(replies, "Согласие на наставническую деятельность, редакция mentor-2026.1")

    await teacher.press("Отозвать: Согласие на обработку")
    assert said(await teacher.press("Нет, оставить"), "Ничего не изменилось")
    participant = await stored(session_pool, 4004)
    assert participant is not None
    assert participant.status == ParticipantStatus.ACTIVE

    await teacher.send("/consent")
    replies = await teacher.press("Отозвать: Согласие на обработку")
    assert said(replies, "Ваш профиль и анкеты будут удалены")
    replies = await teacher.press("Да, отозвать")
    assert said(replies, "Ваши персональные данные удалены")
    assert said(replies, "Смирнова Елена отозвал(а) согласие", chat_id=CURATOR_ID)

    participant = await stored(session_pool, 4004)
    assert participant is not None
    assert participant.status == ParticipantStatus.WITHDRAWN
    assert participant.full_name is None
    assert participant.mentee_profile is None
    assert participant.mentor_profile is None
    assert said(await teacher.send("/consent"), "отозвано")
    assert said(await teacher.send("/profile"), "Вы ещё не зарегистрированы")
    # The old confirmation button cannot withdraw twice.
    assert said(await teacher.press_data("cs:confirm:personal_data"), "больше не действует")


async def test_language_switch_to_english_and_back(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    teacher = person(4005)
    await teacher.send("/lang")
    assert said(await teacher.press("English"), "Language: English")
    replies = await teacher.send("/start")
    assert said(replies, "Consent to the processing of personal data")
    await teacher.press("I agree")
    assert said(await teacher.send("Ivanova Maria"), "Your position")
    participant = await stored(session_pool, 4005)
    assert participant is not None
    assert participant.locale == "en"

    await teacher.send("/lang")
    assert said(await teacher.press("Русский"), "Язык: русский")


async def test_help_depends_on_the_role(
    person: Callable[..., Person],
    curator: Person,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    stranger = person(4006)
    replies = await stranger.send("/help")
    assert said(replies, "/consent")
    assert not said(replies, "/candidates")
    assert said(replies, "Вы ещё не зарегистрированы")
    assert said(replies, "<b>Наставляемый</b>")  # not registered yet: both roles explained
    assert said(replies, "<b>Наставник</b>: после")
    assert said(await curator.send("/help"), "/candidates")
    # a mentee is told what a mentee does, a mentor what a mentor does (README: per role)
    async with session_pool() as session:
        await make_teacher(session, telegram_id=4007)
        await make_teacher(session, mentee=False, mentor=True, telegram_id=4008)
    as_mentee = await person(4007).send("/help")
    assert said(as_mentee, "<b>Наставляемый</b>")
    assert not said(as_mentee, "<b>Наставник</b>: после")
    assert not said(as_mentee, "/comentor")
    as_mentor = await person(4008).send("/help")
    assert said(as_mentor, "<b>Наставник</b>: после")
    assert not said(as_mentor, "<b>Наставляемый</b>")


async def test_startup_sets_both_command_menus_in_both_languages(
    dispatcher: Dispatcher, bot: MockedBot, settings: Settings
) -> None:
    await on_startup(bot, settings, dispatcher["i18n"], dispatcher["session_pool"])
    menus = [m for m in bot.session.requests if isinstance(m, SetMyCommands)]
    default = {m.language_code: m for m in menus if isinstance(m.scope, BotCommandScopeDefault)}
    curator = {m.language_code: m for m in menus if isinstance(m.scope, BotCommandScopeChat)}
    assert set(default) == set(curator) == {None, "en"}
    assert {c.command for c in default[None].commands} == {
        "start",
        "plan",
        "done",
        "meeting",
        "ask",
        "propose",
        "request",
        "mentors",  # the mentee's choice / being shown (§9.1.2)
        "library",  # the methodical library (§6.4.6)
        "mentee",  # the mentor's card of the mentee (§7.1.2)
        "comentor",  # the mentor brings in other teachers (§7.1.1)
        "programme",
        "profile",
        "consent",
        "publicity",
        "mydata",
        "lang",
        "help",
        "cancel",
    }
    curator_menu = {c.command for c in curator[None].commands}
    assert {"pair", "requests", "candidates", "endprogramme"} <= curator_menu
    assert not {"pair", "requests"} & {c.command for c in default[None].commands}
    assert curator["en"].scope.chat_id == CURATOR_ID
    assert default[None].commands[0].description == "Начать или продолжить регистрацию"
    assert default["en"].commands[0].description == "Start or continue registration"


async def test_a_withdrawal_scrubs_the_erased_name_from_others_unfinished_forms(
    person: Callable[..., Person], curator: Person, dispatcher: Dispatcher
) -> None:
    """Issue 12, item 6: a curator's unfinished broadcast naming the person who withdraws
    keeps its place in the form, with the name replaced (bot.forms)."""
    teacher = person(4006)
    await register(teacher, role=ROLE_BOTH, name="Смирнова Елена")
    await curator.send("/broadcast")
    await curator.send("Открытый урок проведёт Смирнова Елена, приходите")

    def curator_form() -> dict:
        storage = dispatcher.storage
        assert isinstance(storage, MemoryStorage)
        return next(
            record.data for key, record in storage.storage.items() if key.user_id == CURATOR_ID
        )

    assert "Смирнова Елена" in json.dumps(curator_form(), ensure_ascii=False)
    await teacher.send("/consent")
    await teacher.press("Отозвать: Согласие на обработку")
    await teacher.press("Да, отозвать")
    kept = json.dumps(curator_form(), ensure_ascii=False)
    assert "Смирнова Елена" not in kept
    assert "Открытый урок проведёт —, приходите" in kept  # the draft itself stays


async def test_a_withdrawal_notice_telegram_keeps_refusing_is_not_queued_with_the_name(
    person: Callable[..., Person], bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    """Issue 12: the curators' notice of a withdrawal stays direct (the person is erased in the
    same transaction); if Telegram keeps refusing it, it is given up, never queued as a text
    that would keep the name just erased."""
    teacher = person(4014)
    await register(teacher, role=ROLE_BOTH, name="Смирнова Елена")
    bot.session.down.add(CURATOR_ID)  # every call to the curator fails (502)
    await teacher.send("/consent")
    await teacher.press("Отозвать: Согласие на обработку")
    assert said(await teacher.press("Да, отозвать"), "Ваши персональные данные удалены")
    async with session_pool() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert not [r.text for r in rows if "Смирнова" in r.text or "Елена" in r.text]
