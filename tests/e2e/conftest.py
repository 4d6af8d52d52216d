"""End to end: the real `python -m bot` polls the fake Bot API server over HTTP."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from bot.emulator import BOT_ID, BOT_TOKEN, FakeTelegram
from models.database import create_engine, create_session_pool, upgrade_database
from tests.conftest import CURATOR_ID, REDIS_URL
from tests.factories import (
    make_active_pair,
    make_mentor,
    make_running_programme,
    make_teacher,
    notices_already_delivered,
)

REPO = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(
        self,
        server: FakeTelegram,
        database: Path,
        log: Path,
        token: str = BOT_TOKEN,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.server = server
        self.database = database
        self.log = log
        self.token = token
        self.extra_env = extra_env or {}
        self.process: asyncio.subprocess.Process | None = None

    async def launch(self) -> None:
        """Start `python -m bot` without waiting for it to poll."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BOT_", "DATABASE_", "REDIS_", "CURATOR_"))
        }
        env.update(
            BOT_TOKEN=self.token,
            TELEGRAM_API_URL=self.server.url,
            DATABASE_URL=f"sqlite+aiosqlite:///{self.database}",
            CURATOR_IDS=str(CURATOR_ID),
            ORGANIZATION_NAME="ГБПОУ «МТТК»",
            POLLING_TIMEOUT="2",
            LOG_LEVEL="INFO",
            QUIET_HOURS="",  # the suite may run at night: the scheduler must still send
        )
        env.update(self.extra_env)
        self.server.polling.clear()
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.database.parent,  # no .env there: only the variables above count
                env=env,
                stdout=log,
                stderr=log,
            )

    async def start(self) -> None:
        await self.launch()
        try:
            async with asyncio.timeout(60):  # a loaded machine (two test processes) starts slowly
                await self.server.polling.wait()
        except TimeoutError:
            await self.kill()  # a fixture that fails in its set-up is never torn down
            raise AssertionError(f"the bot did not start polling:\n{self.log_text()}") from None

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                return await self.process.wait()
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()

    async def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no goodbye, as in a crash."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def assert_no_traceback(log: str) -> None:
    """The bot's log has no traceback; on failure, shows the part around the first one."""
    at = log.find("Traceback")
    assert at < 0, log[max(0, at - 1500) : at + 4000]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()
    # Telegram refuses HTML it cannot parse with a 400 that the bot may only log: fail here.
    assert not server.unparsable, server.unparsable


@pytest.fixture
async def running_bot(telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    bot = BotProcess(telegram, tmp_path / "e2e.db", tmp_path / "bot.log")
    await bot.start()
    yield bot
    await bot.stop()
    log = bot.log_text()
    assert_no_traceback(log)
    assert " ERROR " not in log, log


async def seed_due_programme(url: str, mentee_id: int, mentor_id: int) -> None:
    """A running programme whose first activity is due in three days (Moscow time)."""
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    engine = create_engine(url)
    await upgrade_database(engine)
    async with create_session_pool(engine)() as session:
        mentee = await make_teacher(session, telegram_id=mentee_id)
        mentor = await make_mentor(session, telegram_id=mentor_id)
        pair = await make_active_pair(session, mentee=mentee, mentor=mentor)
        await make_running_programme(
            session,
            pair=pair,
            start=today - timedelta(days=10),
            deadlines=[today + timedelta(days=3), today + timedelta(days=40)],
        )
        await notices_already_delivered(session)
    await engine.dispose()


@pytest.fixture
def redis_env() -> dict[str, str]:
    if REDIS_URL is None:
        pytest.skip("TEST_REDIS_URL is not set")
    return {"REDIS_URL": REDIS_URL}


@pytest.fixture
async def user_id(redis_env: dict[str, str]) -> AsyncIterator[int]:
    """A fresh user each run; their form keys in the shared Redis are removed afterwards."""
    user_id = random.randint(10**9, 2 * 10**9)
    yield user_id
    redis = Redis.from_url(redis_env["REDIS_URL"])
    keys = [key async for key in redis.scan_iter(f"fsm:{BOT_ID}:{user_id}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
