"""SQLite writers of one process take turns in the event loop (models.database.WriterQueue)
instead of meeting SQLite's busy handler, which polls with sleeps of up to 100 ms."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import event, func, select, text

from models.database import create_engine, create_session_pool, upgrade_database
from models.updates import ProcessedUpdate


async def test_concurrent_writers_of_one_process_queue_instead_of_failing(tmp_path: Path) -> None:
    # busy_timeout=0: SQLite itself would refuse a second writer at once
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}", busy_timeout=0)
    await upgrade_database(engine)
    pool = create_session_pool(engine)
    loop_free = 0

    async def writer(number: int) -> None:
        async with pool() as session:
            session.add(ProcessedUpdate(bot_id=1, update_id=number))
            await session.flush()  # holds SQLite's write lock from here…
            await asyncio.sleep(0.01)  # …while other updates run
            await session.commit()

    async def ticker() -> None:
        nonlocal loop_free
        for _ in range(20):
            await asyncio.sleep(0.005)
            loop_free += 1

    await asyncio.gather(ticker(), *(writer(n) for n in range(20)))
    async with pool() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 20
    assert loop_free == 20  # the waits never blocked the event loop
    await engine.dispose()


async def test_a_burst_of_updates_reuses_the_connections_of_the_last_one(tmp_path: Path) -> None:
    """Connections beyond the pool are closed when returned and opened again by the next burst
    (a thread start, the connect and its PRAGMAs each time): with SQLAlchemy's pool of five,
    ten people answering at once reopened connections at every step (issue 18: /start's p50
    at 10 users fell from 78–148 ms to 42 ms with a pool that holds them)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    opened = 0

    def counted(*_args: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine.sync_engine, "connect", counted)
    pool = create_session_pool(engine)

    async def one() -> None:
        async with pool() as session:
            await session.execute(text("SELECT 1"))
            await asyncio.sleep(0.05)  # the others come meanwhile

    try:
        await asyncio.gather(*(one() for _ in range(12)))
        first = opened
        assert first == 12
        await asyncio.gather(*(one() for _ in range(12)))
        assert opened == first  # the second burst opened nothing
    finally:
        await engine.dispose()
