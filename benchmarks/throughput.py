"""Dispatcher throughput on a realistic mix vs a bare aiogram echo bot, in the same run.

    .venv/bin/python benchmarks/throughput.py [--updates 3000]

Prints updates/s of both and the ratio. The real dispatcher (same factory as production, an
SQLite file, the recording bot session of the tests: no network) handles registration steps,
/plan, /done reports and button presses of a seeded programme.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Dispatcher, Router
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Message

from bot.factory import create_dispatcher
from models.database import create_engine, create_session_pool, upgrade_database
from models.participant import Participant
from tests.conftest import make_settings
from tests.driver import Person
from tests.factories import make_running_programme
from tests.mocked_bot import MockedBot


def echo_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher(storage=MemoryStorage())
    dispatcher.include_router(router)
    return dispatcher


async def measure(person_for, steps: list[tuple[int, str, str]]) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for user, kind, value in steps:
        person = person_for(user)
        if kind == "text":
            await person.send(value)
        else:
            await person.press_data(value)
    return len(steps) / (time.perf_counter() - started)


async def main(updates: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        engine = create_engine(url)
        await upgrade_database(engine)
        pool = create_session_pool(engine)
        async with pool() as session:
            programme = await make_running_programme(session)
            mentee = await session.get(Participant, programme.pair.mentee_ids[0])
            activity_ids = [a.id for a in programme.activities]
        bot = MockedBot()
        real = create_dispatcher(make_settings(url), pool, storage=MemoryStorage())
        mix_cycle = itertools.cycle(
            [
                ("new", "text", "/start"),
                ("new", "press", "pd:1:pd-2026.1"),
                ("new", "text", "Иванова Мария"),
                ("new", "text", "преподаватель"),
                ("mentee", "text", "/plan"),
                ("mentee", "text", "/done"),
                ("mentee", "press", f"ac:report:{activity_ids[0]}"),
                ("mentee", "text", "/cancel"),
                ("new", "text", "/help"),
                ("mentee", "press", "garbage"),
            ]
        )
        fresh = itertools.count(9_000_000)
        steps = []
        current_new = next(fresh)
        for index, (who, kind, value) in enumerate(itertools.islice(mix_cycle, updates)):
            if index % 10 == 0:
                current_new = next(fresh)  # a new teacher every ten updates
            steps.append((mentee.telegram_id if who == "mentee" else current_new, kind, value))
        rate_real = await measure(lambda user: Person(real, bot, user), steps)
        echo = echo_dispatcher()
        rate_echo = await measure(lambda user: Person(echo, MockedBot(), user), steps)
        await engine.dispose()
    print(f"updates: {updates}")
    print(f"bare aiogram echo bot: {rate_echo:,.0f} updates/s")
    print(f"Наставник (SQLite, realistic mix): {rate_real:,.0f} updates/s")
    print(f"ratio (Наставник / echo): {rate_real / rate_echo:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=3000)
    asyncio.run(main(parser.parse_args().updates))
