"""SQLite writers of one process take turns in the event loop (models.database.WriterQueue)
instead of meeting SQLite's busy handler, which polls with sleeps of up to 100 ms."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

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
