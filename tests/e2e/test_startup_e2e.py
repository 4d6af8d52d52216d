"""Start-up against Telegram: a rejected token is explained; an outage is waited out."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from bot.emulator import FakeTelegram
from tests.e2e.conftest import BotProcess, assert_no_traceback


async def test_a_token_telegram_rejects_stops_the_bot_with_a_clear_message(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    bot = BotProcess(
        telegram, tmp_path / "e2e.db", tmp_path / "bot.log", token="999:WRONG-token-xx"
    )
    await bot.launch()
    assert bot.process is not None
    async with asyncio.timeout(30):
        code = await bot.process.wait()
    assert code != 0
    log = bot.log_text()
    assert "Telegram rejected BOT_TOKEN (401 Unauthorized)" in log
    assert_no_traceback(log)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_bot_waits_for_telegram_to_come_back(tmp_path: Path) -> None:
    server = FakeTelegram(port=free_port())  # not listening yet
    bot = BotProcess(server, tmp_path / "e2e.db", tmp_path / "bot.log")
    await bot.launch()
    try:
        async with asyncio.timeout(30):
            while "Telegram is not reachable" not in bot.log_text():  # noqa: ASYNC110 - a file
                await asyncio.sleep(0.1)
        await server.start()
        async with asyncio.timeout(30):
            await server.polling.wait()
        user = server.user(2101)
        await user.send("/start")
        await user.expect("Согласие на обработку персональных данных")
    finally:
        await bot.stop()
        await server.stop()
    assert_no_traceback(bot.log_text())


async def test_a_read_only_database_stops_the_bot_with_a_clear_message(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    """Issue 12: the bot used to start on a read-only database and answer everyone «busy».
    (The tests run as root, whom file modes do not stop: SQLite's read-only mode stands in.)"""
    database = tmp_path / "e2e.db"
    first = BotProcess(telegram, database, tmp_path / "first.log")
    await first.start()  # the schema is created
    await first.stop()
    bot = BotProcess(
        telegram,
        database,
        tmp_path / "bot.log",
        extra_env={"DATABASE_URL": f"sqlite+aiosqlite:///file:{database}?mode=ro&uri=true"},
    )
    await bot.launch()
    assert bot.process is not None
    async with asyncio.timeout(30):
        code = await bot.process.wait()
    assert code != 0
    log = bot.log_text()
    assert "The database is read-only (attempt to write a readonly database)" in log, log
    assert "does not start" in log
    assert_no_traceback(log)
