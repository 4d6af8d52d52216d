from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from aiogram import Dispatcher
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.factory import create_dispatcher
from models.database import create_engine, create_session_pool, upgrade_database
from tests.conftest import CURATOR_ID, make_settings
from tests.driver import Person, detach_routers
from tests.factories import make_mentor, make_teacher
from tests.mocked_bot import MockedBot


@pytest.fixture
async def session_pool(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """SQLite always; PostgreSQL too when TEST_POSTGRES_URL is set (the root fixture)."""
    engine = create_engine(database_url)
    await upgrade_database(engine)
    yield create_session_pool(engine)
    await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def dispatcher(
    settings: Settings, session_pool: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Dispatcher]:
    dispatcher = create_dispatcher(settings, session_pool, storage=MemoryStorage())
    yield dispatcher
    detach_routers(dispatcher)


@pytest.fixture
def bot() -> Iterator[MockedBot]:
    bot = MockedBot()
    yield bot
    # Telegram refuses HTML it cannot parse with a 400 that the bot may only log: fail here.
    assert not bot.session.unparsable, bot.session.unparsable


@pytest.fixture
def person(dispatcher: Dispatcher, bot: MockedBot) -> Callable[..., Person]:
    def make(user_id: int, **kwargs: object) -> Person:
        return Person(dispatcher, bot, user_id, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def curator(person: Callable[..., Person]) -> Person:
    return person(CURATOR_ID, first_name="Куратор")


@pytest.fixture
async def people(session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]):
    async with session_pool() as session:
        mentee = await make_teacher(session, full_name="Петрова Анна", subjects="Информатика")
        strong = await make_mentor(session, full_name="Сидоров Иван", subjects="Информатика")
        strong.mentor_profile.competences = "Методика занятий, цифровые инструменты"
        weak = await make_mentor(session, full_name="Орлова Нина", subjects="История")
        weak.mentor_profile.mentor_subjects = "История"
        await session.commit()
        return person(mentee.telegram_id), person(strong.telegram_id), person(weak.telegram_id)
