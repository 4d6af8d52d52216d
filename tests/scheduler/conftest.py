from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import SendMessage
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import create_i18n
from models.outbox import OutboxMessage
from scheduler.jobs import DeliveryReport, deliver, sweep
from tests.conftest import make_settings
from tests.mocked_bot import MockedBot

MSK = ZoneInfo("Europe/Moscow")


@dataclass
class FakeClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def set(self, *args: int) -> None:
        """Moscow wall-clock time: set(2026, 10, 8, 10) is 08.10.2026 10:00 MSK."""
        self.moment = datetime(*args, tzinfo=MSK).astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class Scheduler:
    """Runs the real jobs against a real database with a fake clock and a recording bot."""

    pool: async_sessionmaker[AsyncSession]
    settings: Settings
    i18n: I18n
    clock: FakeClock
    bot: MockedBot

    async def sweep(self) -> int:
        return await sweep(self.pool, self.settings, self.i18n, self.clock)

    async def deliver(self) -> DeliveryReport:
        return await deliver(self.bot, self.pool, self.settings, self.i18n, self.clock)

    async def run(self) -> list[SendMessage]:
        """A sweep then a delivery; the messages Telegram received in it."""
        before = len(self.bot.session.requests)
        await self.sweep()
        await self.deliver()
        return [m for m in self.bot.session.requests[before:] if isinstance(m, SendMessage)]

    async def ledger(self) -> list[OutboxMessage]:
        async with self.pool() as session:
            return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock(datetime(2026, 9, 1, tzinfo=UTC))
    clock.set(2026, 9, 1, 10)
    return clock


@pytest.fixture
def i18n() -> I18n:
    return create_i18n("ru")


@pytest.fixture
def scheduler(
    session_pool: async_sessionmaker[AsyncSession], database_url: str, i18n: I18n, clock: FakeClock
) -> Iterator[Scheduler]:
    bot = MockedBot()
    yield Scheduler(session_pool, make_settings(database_url), i18n, clock, bot)
    # Telegram refuses HTML it cannot parse with a 400 that a job may only log: fail here.
    assert not bot.session.unparsable, bot.session.unparsable
