"""A staff role never outlives consent; any role can be revoked by participant number, whatever
the person's state; the command menu follows (issue 12, item 7). Numbers out of range in /role
or in button data get a clear answer, never a traceback (item 8)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiogram.methods import DeleteMyCommands, SetMyCommands
from aiogram.types import BotCommandScopeChat
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import ParticipantStatus, StaffRole
from models.participant import Participant
from tests.driver import Person, said, texts
from tests.factories import make_teacher
from tests.handlers.flows import set_role, stored
from tests.mocked_bot import MockedBot


def menu_calls(bot: MockedBot, kind: type, chat_id: int) -> list[object]:
    return [
        m
        for m in bot.session.requests
        if isinstance(m, kind)
        and isinstance(m.scope, BotCommandScopeChat)
        and m.scope.chat_id == chat_id
    ]


async def test_withdrawing_consent_ends_the_curator_role_and_its_menu(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        teacher = await make_teacher(session, telegram_id=5101, full_name="Орлова Нина")
    assert said(await set_role(curator, f"/role {teacher.id} curator"), "Орлова Нина: роль")
    assert menu_calls(bot, SetMyCommands, 5101)  # the curator menu in their chat
    helper = person(5101)
    assert not said(await helper.send("/participants"), "только кураторам")
    await helper.send("/consent")
    await helper.press("Отозвать: Согласие на обработку")
    await helper.press("Да, отозвать")
    after = await stored(session_pool, 5101)
    assert after is not None
    assert after.status == ParticipantStatus.WITHDRAWN
    assert after.staff_role is None
    for command in ("/participants", "/export", "/audit", "/requests"):
        assert said(await helper.send(command), "только кураторам"), command
    assert menu_calls(bot, DeleteMyCommands, 5101)  # back to the participants' menu
    # No curator notice reaches them any more (a new registration notice, for instance).
    before = len(bot.session.requests)
    async with session_pool() as session:
        await make_teacher(session, telegram_id=5102)
    await person(5102).send("/help")
    assert not texts(bot.session.requests[before:], 5101)


async def test_a_role_is_revoked_by_number_whatever_the_state(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        teacher = await make_teacher(session, telegram_id=5103, full_name="Орлова Нина")
        # A database from before this fix: a withdrawn person who kept the role.
        row = await session.get(Participant, teacher.id)
        assert row is not None
        row.status, row.full_name = ParticipantStatus.WITHDRAWN, None
        row.staff_role = StaffRole.CURATOR
        await session.commit()
    assert not said(await person(5103).send("/audit"), "только кураторам")
    replies = await set_role(curator, f"/role {teacher.id} none")
    assert said(replies, "роль снята"), texts(replies)
    assert menu_calls(bot, DeleteMyCommands, 5103)
    assert said(await person(5103).send("/audit"), "только кураторам")
    # Granting still needs a registered participant.
    assert said(await set_role(curator, f"/role {teacher.id} curator"), "Нет зарегистрированного")


@pytest.mark.parametrize(
    "command", ["/role 100000000000000000000 curator", "/role 0 none", "/role 2147483648 none"]
)
async def test_a_huge_number_in_role_is_answered_clearly(curator: Person, command: str) -> None:
    replies = await curator.send(command)
    assert texts(replies)
    assert not said(replies, "Что-то пошло не так")


@pytest.mark.parametrize(
    "data", ["pa:100000000000000000000:1", "pv:-99999999999999999999", "ra:approve:4294967296"]
)
async def test_huge_numbers_in_button_data_are_a_stale_button(
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
    curator: Person,
    data: str,
) -> None:
    async with session_pool() as session:
        await make_teacher(session, telegram_id=5104)
    for who in (person(5104), curator):
        replies = await who.press_data(data)
        assert texts(replies), data
        assert not said(replies, "Что-то пошло не так"), data
