"""Without REDIS_URL the forms live in the bot's database: a restarted bot keeps a
half-filled form (registration here; every form goes through the same storage)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.factory import create_dispatcher, create_storage
from bot.sqlstorage import SqlStorage
from models.forms import FormDraft
from tests.conftest import make_settings
from tests.driver import Person, detach_routers, said
from tests.handlers.flows import give_consent
from tests.mocked_bot import MockedBot


async def test_a_half_filled_form_survives_a_restart_without_redis(
    database_url: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(database_url, redis_url=None)
    assert isinstance(create_storage(settings, session_pool), SqlStorage)
    first = create_dispatcher(settings, session_pool)  # the storage the bot picks itself
    teacher = Person(first, MockedBot(), 6101)
    await give_consent(teacher)
    await teacher.send("Иванова Мария Петровна")
    await first.storage.close()
    detach_routers(first)
    async with session_pool() as session:
        row = await session.scalar(select(FormDraft).where(FormDraft.user_id == 6101))
    assert row is not None
    assert row.data["full_name"] == "Иванова Мария Петровна"

    second = create_dispatcher(settings, session_pool)  # a new process: nothing in memory
    resumed = Person(second, MockedBot(), 6101)
    try:
        assert said(await resumed.send("преподаватель"), "предметно-цикловая комиссия")
    finally:
        detach_routers(second)
