from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.factory import create_dispatcher
from models.database import create_engine, create_session_pool, upgrade_database
from tests.conftest import CURATOR_ID, make_settings
from tests.driver import Person, detach_routers
from tests.mocked_bot import MockedBot


@pytest.fixture
async def session_pool(sqlite_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_url)
    await upgrade_database(engine)
    yield create_session_pool(engine)
    await engine.dispose()


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


@pytest.fixture
async def dispatcher(
    settings: Settings, session_pool: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Dispatcher]:
    dispatcher = create_dispatcher(settings, session_pool, storage=MemoryStorage())
    yield dispatcher
    detach_routers(dispatcher)


@pytest.fixture
def bot() -> MockedBot:
    return MockedBot()


@pytest.fixture
def person(dispatcher: Dispatcher, bot: MockedBot) -> Callable[..., Person]:
    def make(user_id: int, **kwargs: object) -> Person:
        return Person(dispatcher, bot, user_id, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def curator(person: Callable[..., Person]) -> Person:
    return person(CURATOR_ID, first_name="Куратор")
