"""The director (§6.3): an own menu, the desk item for the roadmap, the order entered by
whoever the college's setting names."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import SetMyCommands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models.enums import PairStatus, StaffRole
from models.pairs import get_pair
from rendering.ui import PairApproval
from tests.driver import Person, said
from tests.factories import make_accepted_pair, make_teacher
from tests.handlers.flows import set_role
from tests.mocked_bot import MockedBot
from tests.story import on


def menu_of(bot: MockedBot, chat_id: int) -> set[str]:
    menus = [
        m
        for m in bot.session.requests
        if isinstance(m, SetMyCommands)
        and getattr(m.scope, "chat_id", None) == chat_id
        and m.language_code is None
    ]
    return {command.command for command in menus[-1].commands}


async def test_the_director_gets_an_own_menu_and_desk(
    curator: Person,
    person: Callable[..., Person],
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        boss = await make_teacher(session, mentee=False, telegram_id=5601, full_name="Бондаренко")
        deputy = await make_teacher(session, mentee=False, telegram_id=5602, full_name="Андросова")
    await set_role(curator, f"/role {boss.id} директор")
    await set_role(curator, f"/role {deputy.id} куратор")
    director_menu = menu_of(bot, 5601)
    curator_menu = menu_of(bot, 5602)
    assert {"roadmap", "requests", "today", "audit"} <= director_menu
    assert not {"broadcast", "pair", "invite", "role"} & director_menu
    assert {"broadcast", "pair", "roadmap", "stafflist"} <= curator_menu

    await curator.send("/roadmap")
    await curator.press("Создать по Приложению 1")
    replies = await person(5601).send("/today")
    assert said(replies, "Дорожная карта года ждёт утверждения директором")
    replies = await person(5601).press("Дорожная карта")
    assert said(replies, "Ещё не утверждена директором")
    await person(5601).press("Утвердить дорожную карту")
    assert not said(await curator.send("/today"), "ждёт утверждения директором")


async def test_the_setting_names_who_enters_the_order(
    curator: Person,
    person: Callable[..., Person],
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
        boss = await make_teacher(session, mentee=False, telegram_id=5611, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    approve = PairApproval(pair_id=pair.id).pack()

    settings.order_entered_by = "director"
    replies = await curator.press_data(approve)
    assert said(replies, "номер и дату приказа вносит директор")
    director = person(5611)
    assert said(await director.press_data(approve), "Номер приказа директора")
    await director.send("17-к")
    assert said(await director.send(on("20.11.2026")), "Пара утверждена")
    async with session_pool() as session:
        approved = await get_pair(session, pair.id)
        assert approved.status == PairStatus.ACTIVE
        assert approved.approved_by == 5611


async def test_by_default_the_curator_enters_the_order(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
    assert said(await curator.press_data(PairApproval(pair_id=pair.id).pack()), "Номер приказа")
