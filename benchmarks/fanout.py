"""Fan-out: reminders through the real outbox delivery against a fake Bot API server that
enforces Telegram's flood limits (30 messages a second overall, one a second per chat, 429 with
retry_after beyond them).

    .venv/bin/python benchmarks/fanout.py [--count 10000] [--chats 4000] [--rate 25]

The reminders are queued in the outbox of an SQLite file (as a sweep queues them, spread over
`--chats` people in random order), then `scheduler.jobs.deliver` runs back to back, as the
scheduler would, until nothing is left. Prints the achieved rate and its ratio to Telegram's 30
messages a second (the ceiling anyone can reach), the 429s met, and how many reminders were
lost (never reached the server) or duplicated (reached it more than once).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bot.emulator import BOT_TOKEN, FakeTelegram, FloodLimits
from bot.factory import create_bot
from bot.i18n import create_i18n
from models.database import create_engine, create_session_pool, upgrade_database
from models.outbox import OutboxMessage, enqueue
from scheduler.clock import SystemClock
from scheduler.jobs import deliver
from tests.conftest import make_settings


async def main(count: int, chats: int, rate: float) -> None:
    logging.basicConfig(level=logging.ERROR)  # each 429 is a warning; the total is printed
    server = FakeTelegram(flood=FloodLimits(per_second=30, per_chat=1.0), record_calls=False)
    await server.start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/fanout.db"
        engine = create_engine(url)
        await upgrade_database(engine)
        pool = create_session_pool(engine)
        generator = random.Random(1)
        async with pool() as session:
            for number in range(count):
                chat = 7_000_000 + generator.randrange(chats)
                await enqueue(
                    session,
                    key=f"bench:{number}:{chat}",
                    kind="deadline",
                    chat_id=chat,
                    text=f"Напоминание №{number}: до срока мероприятия осталось 3 дн.",
                )
            await session.commit()
        settings = make_settings(
            url,
            bot_token=BOT_TOKEN,
            telegram_api_url=server.url,
            quiet_hours="",
            send_rate_per_second=rate,
        )
        bot = create_bot(settings)
        i18n = create_i18n("ru")
        clock = SystemClock()
        started = time.perf_counter()
        last_progress = started
        retried = 0
        while True:
            report = await deliver(bot, pool, settings, i18n, clock)
            retried += report.retried
            async with pool() as session:
                pending = await session.scalar(
                    select(func.count()).where(OutboxMessage.status.in_(("pending", "sending")))
                )
            now = time.perf_counter()
            if now - last_progress > 30:
                print(f"  … {count - pending:,} of {count:,} done after {now - started:.0f} s")
                last_progress = now
            if not pending:
                break
            if not report.sent and not report.retried:
                await asyncio.sleep(0.2)  # only messages waiting for their retry time
        elapsed = time.perf_counter() - started
        await bot.session.close()
        async with pool() as session:
            statuses = Counter(
                (await session.execute(select(OutboxMessage.status))).scalars().all()
            )
        await engine.dispose()
    received = Counter(message.text for message in server.messages.values())
    await server.stop()
    expected = {f"Напоминание №{n}:" for n in range(count)}
    arrived = {text.split(" до ", 1)[0] for text in received}
    lost = len(expected - arrived)
    duplicated = sum(n - 1 for n in received.values() if n > 1)
    achieved = len(received) / elapsed
    print(f"reminders: {count:,} to {chats:,} chats; sender rate setting {rate:g}/s")
    print(f"time: {elapsed:.1f} s; achieved {achieved:.2f} messages/s")
    print(f"ratio to Telegram's 30 msg/s: {achieved / 30:.3f}")
    print(f"429s from the server: {server.flood.refused:,} (retried later: {retried:,})")
    print(f"lost: {lost}; duplicated: {duplicated}; outbox: {dict(statuses)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=4_000)
    parser.add_argument("--rate", type=float, default=25)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.count, arguments.chats, arguments.rate))
