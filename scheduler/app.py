"""APScheduler 3 inside the bot process: two interval jobs, started and stopped with the
dispatcher. Stopping lets a running sweep or delivery finish instead of cutting it mid-query."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.fsm.storage.base import BaseStorage
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.resilience import InFlight, describe, transient_database_error
from scheduler.clock import Clock
from scheduler.jobs import deliver, sweep
from scheduler.privacy import FIRST_RUN_AFTER, INTERVAL_SECONDS, personal_data_job

logger = logging.getLogger(__name__)


class ReminderScheduler:
    def __init__(self, settings: Settings) -> None:
        self.scheduler = AsyncIOScheduler(timezone=settings.timezone)
        self.in_flight = InFlight("scheduler job(s)")

    def add(
        self,
        job: Callable[..., Awaitable[Any]],
        seconds: float,
        first_after: float = 0,
        **kwargs: Any,
    ) -> None:
        async def run() -> Any:
            with self.in_flight:
                try:
                    return await job(**kwargs)
                except DBAPIError as error:
                    if not transient_database_error(error):
                        raise
                    # Nothing is lost: the ledger is in the database; the next run goes on.
                    logger.warning(
                        "%s: database busy (%s), next run", job.__name__, describe(error)
                    )
                    return None

        self.scheduler.add_job(
            run,
            "interval",
            seconds=seconds,
            id=job.__name__,
            name=job.__name__,
            max_instances=1,
            coalesce=True,
            # catch up at once on start (or a little later, out of the start's way)
            next_run_time=datetime.now(self.scheduler.timezone) + timedelta(seconds=first_after),
        )

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, grace: float = 15.0) -> None:
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        await self.in_flight.drain(grace)
        self.scheduler.shutdown(wait=False)


def create_scheduler(
    bot: Bot,
    session_pool: async_sessionmaker[AsyncSession],
    settings: Settings,
    i18n: I18n,
    clock: Clock,
    storage: BaseStorage | None = None,
) -> ReminderScheduler:
    """Sweep (catch-up included) and deliver at once on start, then at their intervals.
    `storage`: the dispatcher's FSM storage, whose forms the retention job's erasures reach."""
    scheduler = ReminderScheduler(settings)
    common: dict[str, Any] = {
        "session_pool": session_pool,
        "settings": settings,
        "i18n": i18n,
        "clock": clock,
    }
    scheduler.add(sweep, settings.sweep_interval_seconds, **common)
    scheduler.add(deliver, settings.delivery_interval_seconds, bot=bot, **common)
    forms = (storage, bot.id) if storage is not None else None
    scheduler.add(
        personal_data_job, INTERVAL_SECONDS, first_after=FIRST_RUN_AFTER, forms=forms, **common
    )
    return scheduler
