"""Dispatcher throughput on a realistic mix, interleaved in one run with two baselines:

- a bare aiogram echo bot (no database);
- a *minimal database-backed peer*: an aiogram dispatcher whose session middleware selects
  one user row by Telegram id from an SQLite file through SQLAlchemy + aiosqlite, updates its
  `last_seen`, commits and replies — the least a bot that knows its users does per update.

    .venv/bin/python benchmarks/throughput.py [--updates 3000] [--rounds 5]

The three run the same updates in alternating order, a slice at a time, so a busy machine
(2 cores shared) slows them alike; the ratios are what to read. Per update kind it prints the
product's time against the peer's, and the product's SQL statements, commits that wrote and
hand-offs to aiosqlite's thread per update.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosqlite.core
from aiogram import BaseMiddleware, Dispatcher, Router
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, Message, TelegramObject
from sqlalchemy import BigInteger, event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bot.factory import create_dispatcher
from models.database import (
    create_engine,
    create_session_pool,
    upgrade_database,
)
from models.participant import Participant
from tests.conftest import make_settings
from tests.driver import Person
from tests.factories import make_running_programme
from tests.mocked_bot import MockedBot

# --- the baselines ------------------------------------------------------------------------


def echo_dispatcher() -> Dispatcher:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher(storage=MemoryStorage())
    dispatcher.include_router(router)
    return dispatcher


class PeerBase(DeclarativeBase):
    pass


class PeerUser(PeerBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    last_seen: Mapped[datetime | None]


class PeerSession(BaseMiddleware):
    def __init__(self, pool: async_sessionmaker[AsyncSession]) -> None:
        self.pool = pool

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user_id = data["event_from_user"].id
        async with self.pool() as session:
            user = await session.scalar(select(PeerUser).where(PeerUser.telegram_id == user_id))
            if user is None:
                user = PeerUser(telegram_id=user_id)
                session.add(user)
            user.last_seen = datetime.now(UTC)
            await session.commit()
            data["user"] = user
            return await handler(event, data)


def _peer_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


async def peer_dispatcher(folder: str) -> tuple[Dispatcher, Any]:
    # stock SQLAlchemy + aiosqlite (WAL, as the product): none of the product's engine work
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder}/peer.db")
    event.listen(engine.sync_engine, "connect", _peer_pragmas)
    async with engine.begin() as connection:
        await connection.run_sync(PeerBase.metadata.create_all)
    router = Router()

    @router.message()
    async def reply(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()

    dispatcher = Dispatcher(storage=MemoryStorage())
    dispatcher.update.outer_middleware(PeerSession(create_session_pool(engine)))
    dispatcher.include_router(router)
    return dispatcher, engine


# --- counting what the product does -------------------------------------------------------


class Counter:
    """SQL statements, commits that wrote, and hand-offs to aiosqlite's thread."""

    def __init__(self, engine: Any) -> None:
        self.statements = self.commits = self.hops = 0
        self.on = False
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        # a commit that wrote: a flush since the last commit (the COMMIT itself may run in
        # SQLite's thread with the flush, see models.database.OneHopSession)
        event.listen(Session, "after_flush", self._flushed)
        event.listen(Session, "after_commit", self._commit)
        original = aiosqlite.core.Connection._execute
        counter = self

        async def counted(connection: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            if counter.on:
                counter.hops += 1
            return await original(connection, fn, *args, **kwargs)

        aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]

    def _statement(self, *_args: Any) -> None:
        if self.on:
            self.statements += 1

    def _flushed(self, session: Any, _context: Any) -> None:
        session.info["benchmark_wrote"] = True

    def _commit(self, session: Any) -> None:
        if session.info.pop("benchmark_wrote", False) and self.on:
            self.commits += 1

    def snapshot(self) -> tuple[int, int, int]:
        return self.statements, self.commits, self.hops


# --- the run ------------------------------------------------------------------------------

MIX = [
    ("/start", "new", "text", "/start"),
    ("consent press", "new", "press", "pd:1:pd-2026.1"),
    ("form answer", "new", "text", "Иванова Мария"),
    ("form answer", "new", "text", "преподаватель"),
    ("/plan", "mentee", "text", "/plan"),
    ("/done", "mentee", "text", "/done"),
    ("report press", "mentee", "press", "ac:report:{activity}"),
    ("/cancel", "mentee", "text", "/cancel"),
    ("/help", "new", "text", "/help"),
    ("stale press", "mentee", "press", "garbage"),
]


async def feed(person: Person, kind: str, value: str) -> None:
    if kind == "text":
        await person.send(value)
    else:
        await person.press_data(value)


async def main(updates: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        engine = create_engine(url)
        await upgrade_database(engine)
        pool = create_session_pool(engine)
        async with pool() as session:
            programme = await make_running_programme(session)
            mentee = await session.get(Participant, programme.pair.mentee_ids[0])
            activity = programme.activities[0].id
        assert mentee is not None
        bot = MockedBot()
        product = create_dispatcher(make_settings(url), pool, storage=MemoryStorage())
        # The steady state: past the first updates after a start, whose tries are counted in
        # the database (bot.factory WATCH_FIRST: a commit before and after each).
        product.watch_left = 0  # type: ignore[attr-defined]  # the factory's TrackingDispatcher
        echo = echo_dispatcher()
        peer, peer_engine = await peer_dispatcher(folder)
        counter = Counter(engine)
        systems: dict[str, Dispatcher] = {"echo": echo, "peer": peer, "product": product}
        fresh = itertools.count(9_000_000)
        steps = []
        current_new = next(fresh)
        for index, (label, who, kind, value) in enumerate(
            itertools.islice(itertools.cycle(MIX), updates)
        ):
            if index % len(MIX) == 0:
                current_new = next(fresh)  # a new teacher every ten updates
            user = mentee.telegram_id if who == "mentee" else current_new
            steps.append((label, user, kind, value.format(activity=activity)))
        # time per system and per kind; one slice of the mix at a time, order rotating
        spent: dict[str, dict[str, float]] = {name: defaultdict(float) for name in systems}
        count: dict[str, int] = defaultdict(int)
        work: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        ratios: list[float] = []
        slice_size = len(MIX) * 10
        for round_number in range(rounds):
            offset = round_number * 1_000_000_000  # fresh users each round for every system
            totals = dict.fromkeys(systems, 0.0)
            for start in range(0, len(steps), slice_size):
                names = list(systems)
                shift = (start // slice_size + round_number) % len(names)
                for name in names[shift:] + names[:shift]:
                    dispatcher = systems[name]
                    for label, user, kind, value in steps[start : start + slice_size]:
                        person = Person(
                            dispatcher, bot, user + offset * (user != mentee.telegram_id)
                        )
                        counter.on = name == "product"
                        before = counter.snapshot()
                        began = time.perf_counter()
                        await feed(person, kind, value)
                        took = time.perf_counter() - began
                        counter.on = False
                        spent[name][label] += took
                        totals[name] += took
                        if name == "product":
                            count[label] += 1
                            after = counter.snapshot()
                            for i in range(3):
                                work[label][i] += after[i] - before[i]
            ratios.append(totals["peer"] / totals["product"])
            print(
                f"round {round_number + 1}: echo {len(steps) / totals['echo']:,.0f}/s,"
                f" peer {len(steps) / totals['peer']:,.0f}/s,"
                f" product {len(steps) / totals['product']:,.0f}/s;"
                f" product ÷ peer {totals['peer'] / totals['product']:.2f},"
                f" product ÷ echo {totals['echo'] / totals['product']:.3f},"
                f" peer ÷ echo {totals['echo'] / totals['peer']:.3f}"
            )
        await engine.dispose()
        await peer_engine.dispose()
    print(
        f"\nmix, {updates} updates × {rounds} rounds: product ÷ peer median"
        f" {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    print(
        f"\n{'kind':14} {'product ms':>10} {'peer ms':>8} {'÷ peer':>7} {'echo ms':>8}"
        f" {'stmts':>6} {'commits':>8} {'hops':>5}"
    )
    for label in dict.fromkeys(label for label, *_ in MIX):
        n = count[label]
        product_ms = spent["product"][label] / n * 1000
        peer_ms = spent["peer"][label] / n * 1000
        echo_ms = spent["echo"][label] / n * 1000
        statements, commits, hops = (value / n for value in work[label])
        print(
            f"{label:14} {product_ms:10.2f} {peer_ms:8.2f} {peer_ms / product_ms:7.2f}"
            f" {echo_ms:8.2f} {statements:6.1f} {commits:8.2f} {hops:5.1f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.updates, arguments.rounds))
