"""APScheduler 3 inside the bot process: two interval jobs, started with the dispatcher."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from scheduler.clock import Clock
from scheduler.jobs import deliver, sweep


def create_scheduler(
    bot: Bot,
    session_pool: async_sessionmaker[AsyncSession],
    settings: Settings,
    i18n: I18n,
    clock: Clock,
) -> AsyncIOScheduler:
    """Sweep (catch-up included) and deliver at once on start, then at their intervals."""
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    start = datetime.now(settings.timezone)
    common = {"max_instances": 1, "coalesce": True, "next_run_time": start}
    scheduler.add_job(
        sweep,
        "interval",
        seconds=settings.sweep_interval_seconds,
        kwargs={"session_pool": session_pool, "settings": settings, "i18n": i18n, "clock": clock},
        id="sweep",
        **common,
    )
    scheduler.add_job(
        deliver,
        "interval",
        seconds=settings.delivery_interval_seconds,
        kwargs={
            "bot": bot,
            "session_pool": session_pool,
            "settings": settings,
            "i18n": i18n,
            "clock": clock,
        },
        id="deliver",
        **common,
    )
    return scheduler
