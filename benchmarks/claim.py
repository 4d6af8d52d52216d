"""One delivery round's claim against a large outbox: what `models.outbox.claim_due` costs when
the ledger holds every message ever sent and a backlog is due, and when nothing is due.

    .venv/bin/python benchmarks/claim.py [--sent 500000] [--pending 100000] [--chats 20000]
        [--database-url postgresql+asyncpg://…/an_empty_database]

The outbox of an SQLite file is filled with `--sent` rows already sent (a year of reminders
and notices; the outbox is the ledger the sweep checks its keys against, so they stay) and
`--pending` rows due now, spread over `--chats` chats at random (or the tables of an empty
PostgreSQL database, with `--database-url`; its statistics are gathered before the claims).
The scheduler claims every `DELIVERY_INTERVAL_SECONDS` (2 s by default): prints the time of
three claims of a backlog and, once everything is sent, of three empty claims.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from models.base import utcnow
from models.database import create_engine, create_session_pool, upgrade_database
from models.outbox import claim_due

INSERT = text(
    "INSERT INTO outbox (key, kind, chat_id, text, status, attempts, not_before, created_at)"
    " VALUES (:key, 'reminder', :chat, 'x', :status, 0, :at, :at)"
)


async def main(sent: int, pending: int, chats: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(database_url or f"sqlite+aiosqlite:///{folder}/claim.db")
        await upgrade_database(engine)
        pool = create_session_pool(engine)
        now = utcnow()
        naive = now.replace(tzinfo=None)  # as the column stores it (UTC)
        rows = [
            {
                "key": f"sent:{n}",
                "chat": random.randrange(chats),
                "status": "sent",
                "at": naive - timedelta(days=365) + timedelta(seconds=n * 60),
            }
            for n in range(sent)
        ] + [
            {
                "key": f"due:{n}",
                "chat": random.randrange(chats),
                "status": "pending",
                "at": naive - timedelta(minutes=random.randrange(600)),
            }
            for n in range(pending)
        ]
        async with engine.begin() as connection:
            for start in range(0, len(rows), 50_000):
                await connection.execute(INSERT, rows[start : start + 50_000])
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.execute(text("ANALYZE outbox"))

        async def claims(label: str) -> None:
            spent, sizes = [], []
            for _ in range(3):
                async with pool() as session:
                    started = time.perf_counter()
                    sizes.append(len(await claim_due(session, now)))
                    spent.append((time.perf_counter() - started) * 1000)
            print(
                f"{label}: {', '.join(f'{ms:.1f}' for ms in spent)} ms"
                f" (median {statistics.median(spent):.1f}; rows claimed {sizes})"
            )

        print(f"outbox: {sent:,} sent, {pending:,} due, over {chats:,} chats")
        await claims("a claim of the backlog")
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE outbox SET status = 'sent'"))
        await claims("an empty claim (nothing due)")
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sent", type=int, default=500_000)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--chats", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.sent, arguments.pending, arguments.chats, arguments.database_url))
