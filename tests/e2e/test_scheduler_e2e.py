"""The real bot process with its scheduler against the fake Bot API: a 429 and a 403 injected,
the reminder still arrives once, the blocked user is marked; and a SIGKILL between sweeps."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import FakeTelegram, Fault
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess, assert_no_traceback, seed_due_programme

MENTEE, MENTOR = 4101, 4102
FAST = {"SWEEP_INTERVAL_SECONDS": "0.5", "DELIVERY_INTERVAL_SECONDS": "0.2"}


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    """A running programme whose first activity is due in three days (Moscow time)."""
    path = tmp_path / "e2e.db"
    await seed_due_programme(f"sqlite+aiosqlite:///{path}", MENTEE, MENTOR)
    return path


def reminders(telegram: FakeTelegram, chat_id: int) -> list[str]:
    return [m.text for m in telegram.chat(chat_id) if "осталось 3 дня" in m.text]


def attempts(telegram: FakeTelegram, chat_id: int) -> int:
    return sum(
        1
        for method, params in telegram.calls
        if method == "sendmessage"
        and int(params["chat_id"]) == chat_id
        and "осталось 3 дня" in params["text"]
    )


@pytest.fixture
async def bot_process(
    telegram: FakeTelegram, database: Path, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    bot = BotProcess(telegram, database, tmp_path / "bot.log", extra_env=FAST)
    yield bot
    await bot.stop()
    assert_no_traceback(bot.log_text())


async def test_429_and_403_the_reminder_arrives_once_and_the_blocked_user_is_marked(
    telegram: FakeTelegram, bot_process: BotProcess
) -> None:
    telegram.faults.append(
        Fault("sendMessage", 429, "Too Many Requests: retry after 1", chat_id=MENTEE, retry_after=1)
    )
    telegram.blocked.add(MENTOR)
    await bot_process.start()

    await telegram.wait_for(lambda: reminders(telegram, MENTEE), timeout=30)
    notice = await telegram.wait_for(
        lambda: [m for m in telegram.chat(CURATOR_ID) if "заблокировал(а) бота" in m.text],
        timeout=30,
    )
    await asyncio.sleep(2)  # several more sweeps and deliveries
    assert len(reminders(telegram, MENTEE)) == 1
    assert attempts(telegram, MENTEE) == 2  # refused once with 429, then delivered
    assert len([m for m in telegram.chat(CURATOR_ID) if "заблокировал(а) бота" in m.text]) == 1
    assert "Иванова Мария Петровна" in notice[0].text
    with sqlite3.connect(bot_process.database) as db:
        (unreachable,) = db.execute(
            "SELECT unreachable_at FROM participants WHERE telegram_id = ?", (MENTOR,)
        ).fetchone()
        statuses = dict(
            db.execute("SELECT chat_id, status FROM outbox WHERE kind = 'deadline'").fetchall()
        )
    assert unreachable is not None
    assert statuses == {MENTEE: "sent", MENTOR: "unreachable"}


async def test_a_killed_bot_restarts_and_nothing_is_sent_twice(
    telegram: FakeTelegram, bot_process: BotProcess
) -> None:
    await bot_process.start()
    await telegram.wait_for(lambda: reminders(telegram, MENTEE), timeout=30)
    await telegram.wait_for(lambda: reminders(telegram, MENTOR) or None, timeout=30)
    await bot_process.kill()  # between sweeps, no shutdown hooks

    await bot_process.start()
    await asyncio.sleep(3)  # the catch-up sweep at start and a few more
    # Each reminder reached Telegram exactly once, before and after the crash.
    assert len(reminders(telegram, MENTEE)) == 1
    assert len(reminders(telegram, MENTOR)) == 1
    assert attempts(telegram, MENTEE) == attempts(telegram, MENTOR) == 1
    with sqlite3.connect(bot_process.database) as db:
        rows = db.execute(
            "SELECT key, status FROM outbox WHERE kind = 'deadline' ORDER BY key"
        ).fetchall()
    # One ledger row per reminder and recipient; a row the crash caught mid-send stays
    # claimed until the claim times out, then it is closed without a second send.
    assert len(rows) == 2
    assert {status for _key, status in rows} <= {"sent", "sending"}
