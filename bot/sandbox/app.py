"""Runs the emulator, the real bot (dispatcher, scheduler) and the console in one process."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.emulator import BOT_TOKEN, FakeTelegram
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.i18n import create_i18n
from bot.sandbox.console import Console
from bot.sandbox.seed import CURATOR_ID, Persona, seed_demo
from models.database import create_engine, create_session_pool, upgrade_database
from scheduler.app import create_scheduler
from scheduler.clock import Clock, SystemClock


@dataclass
class FastClock:
    """Time that runs `factor` times faster than the wall clock, from the sandbox's start."""

    factor: float
    start: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.start + (datetime.now(UTC) - self.start) * self.factor


async def stdin_lines(stream: TextIO, prompt: Console) -> AsyncIterator[str]:
    while True:
        if stream.isatty() and prompt.current is not None:
            print(f"{prompt.current.name.split()[0]}> ", end="", file=prompt.out, flush=True)
        line = await asyncio.to_thread(stream.readline)
        if not line:  # EOF
            return
        yield line


def sandbox_settings(api_url: str, database: Path) -> Settings:
    """The sandbox's settings (also the crawler test's): the emulator, a separate database."""
    # Values as the environment would give them (strings), parsed by the settings' validators.
    values: dict[str, Any] = {
        "bot_token": BOT_TOKEN,
        "telegram_api_url": api_url,
        "database_url": f"sqlite+aiosqlite:///{database}",
        "curator_ids": str(CURATOR_ID),
        "organization_name": "ГБПОУ «МТТК» (песочница)",
        "quiet_hours": "",
        "sweep_interval_seconds": 2,
        "delivery_interval_seconds": 0.5,
        "polling_timeout": 1,
    }
    return Settings(_env_file=None, **values)  # never the production .env


def _prepare(database: Path, seed: str | None) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=database.with_suffix(".log"), level=logging.INFO)
    if seed:
        database.unlink(missing_ok=True)  # a seed starts from a clean sandbox


async def run_sandbox(
    database: Path,
    files: Path,
    *,
    seed: str | None = None,
    fast_clock: float | None = None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> None:
    await asyncio.to_thread(_prepare, database, seed)
    emulator = FakeTelegram()
    await emulator.start()
    settings = sandbox_settings(emulator.url, database)
    clock: Clock = FastClock(fast_clock) if fast_clock else SystemClock()
    engine = create_engine(settings.database_url)
    await upgrade_database(engine)
    session_pool = create_session_pool(engine)
    personas = [Persona("curator", "Куратор", CURATOR_ID)]
    if seed == "demo":
        async with session_pool() as session:
            today = clock.now().astimezone(settings.timezone).date()
            personas = await seed_demo(session, today)
    bot = create_bot(settings)
    i18n = create_i18n(settings.default_locale)
    storage = create_storage(settings, session_pool)  # the retention job reaches its forms
    scheduler = create_scheduler(bot, session_pool, settings, i18n, clock, storage)
    dispatcher = create_dispatcher(
        settings, session_pool, storage=storage, i18n=i18n, clock=clock, scheduler=scheduler
    )
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    in_flight = getattr(dispatcher, "in_flight", None)  # the factory's TrackingDispatcher
    console = Console(
        emulator, personas, files, out, in_flight=lambda: in_flight.running if in_flight else 0
    )
    try:
        await emulator.polling.wait()
        await emulator.settle()
        where = f"database {database}, files {files}"
        if fast_clock:
            where += f", clock ×{fast_clock:g}"
        console.say(f"Sandbox ready ({where}). The real Telegram is never contacted.")
        await console.run(stdin_lines(stdin, console))
        console.say("Bye.")
    finally:
        await dispatcher.stop_polling()
        await polling
        await engine.dispose()
        await emulator.stop()
