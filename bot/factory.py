"""One factory builds the app: `python -m bot` and the tests both call it."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import Update, User
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.i18n import I18n
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import handlers
from bot.commands import set_bot_commands
from bot.config import Settings
from bot.filters import inline_sync_callables
from bot.i18n import ParticipantLocaleMiddleware, create_i18n
from bot.jsonbody import JsonBodySession
from bot.longtext import SplitLongMessages
from bot.middlewares import (
    DbSessionMiddleware,
    KeyedLocks,
    ParticipantMiddleware,
    UpdateLoggingMiddleware,
)
from bot.poison import SKIPPED, SkipUndecodableUpdates, decode_update
from bot.resilience import InFlight, RetryRequestMiddleware
from bot.responses import KeepResponseTypes, keep_every_response_type
from bot.sqlstorage import SqlStorage
from handlers.context import ContextMiddleware
from models.database import INLINE_READS
from models.director import director_telegram_ids
from models.outbox import queue_notice
from models.participant import curator_telegram_ids
from models.updates import MAX_TRIES, begin_attempt, end_attempt
from rendering.notices import send_notices
from scheduler.app import ReminderScheduler
from scheduler.clock import Clock, SystemClock

logger = logging.getLogger(__name__)
LOCK_TTL = 5.0  # seconds a person's Redis lock outlives a process that died holding it
WATCH_FIRST = 100  # updates after a start whose tries are counted: a getUpdates batch at most,
# and a crash loop brings its update back in the first batch after the restart


def _sender_of(update: Update) -> User | None:
    try:
        return getattr(update.event, "from_user", None)
    except UpdateTypeLookupError:  # a kind of update this aiogram does not know
        return None


def _known(update: Update) -> bool:
    try:
        update.event_type  # noqa: B018 - raises for a kind this aiogram does not know
    except UpdateTypeLookupError:
        return False
    return True


class TrackingDispatcher(Dispatcher):
    """Knows which updates are being handled (from the very first middleware, the FSM's
    included), so a stop can wait for them; and handles one person's updates one at a time.

    aiogram handles updates as concurrent tasks: two answers typed in quick succession would
    both read the same form step and one would land in the wrong field. Different people are
    still served side by side."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = InFlight()
        self.per_person = KeyedLocks()
        self.watch_left = WATCH_FIRST

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        if not _known(update):
            if update.model_fields_set != {"update_id"}:  # else: undecodable, counted already
                SKIPPED.skip_unknown(update.update_id)
            return UNHANDLED
        with self.in_flight:
            user = _sender_of(update)
            if user is None:
                return await self._counted(bot, update, **kwargs)
            # (counted inside the person's lock: their updates keep their order of arrival)
            async with self.per_person.hold(user.id), self._across_workers(bot, user.id):
                return await self._counted(bot, update, **kwargs)

    async def _counted(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        """The first updates after a start are the ones a crash loop brings back: each try is
        counted in the database before it is handled, and forgotten once it was survived."""
        if self.watch_left <= 0:
            return await super().feed_update(bot, update, **kwargs)
        self.watch_left -= 1
        pool: async_sessionmaker[AsyncSession] = self["session_pool"]
        # Each count is one hand-off to SQLite's thread (its read in the loop, its write and
        # COMMIT together): the writer's turn is not held across turns of a busy loop.
        token = INLINE_READS.set(True)
        try:
            async with pool() as session:
                tries = await begin_attempt(session, bot.id, update.update_id)
        except DBAPIError as error:  # the count protects; it is not a reason to stop answering
            logger.warning("update %s: its try was not counted (%s)", update.update_id, error)
            return await super().feed_update(bot, update, **kwargs)
        finally:
            INLINE_READS.reset(token)
        if tries > MAX_TRIES:
            await self._skip_poison(bot, update, tries - 1)
            return UNHANDLED
        result = await super().feed_update(bot, update, **kwargs)
        token = INLINE_READS.set(True)
        try:
            with suppress(DBAPIError):  # left behind, it is counted once more after a restart
                async with pool() as session:
                    await end_attempt(session, bot.id, update.update_id)
        finally:
            INLINE_READS.reset(token)
        return result

    async def _skip_poison(self, bot: Bot, update: Update, tries: int) -> None:
        """An update that stopped the process `tries` times: skipped, logged by its id (never
        its content) and counted; the curators are told through the outbox."""
        SKIPPED.skip_fatal(update.update_id, tries)
        user = _sender_of(update)
        pool: async_sessionmaker[AsyncSession] = self["session_pool"]
        async with pool() as session:
            await queue_notice(
                session,
                "update.skipped",
                update.update_id,
                [],
                to_curators=True,
                extra={"tries": tries, "user": user.id if user else None},
            )
            await end_attempt(session, bot.id, update.update_id)  # commits the notice too
            await send_notices(
                bot,
                session,
                self["i18n"],
                "update.skipped",
                update.update_id,
                settings=self["settings"],
            )

    async def feed_raw_update(self, bot: Bot, update: dict[str, Any], **kwargs: Any) -> Any:
        """The webhook's path (handled in the background after a 200)."""
        decoded = decode_update(bot, update)
        if decoded is None:
            return None
        return await self._feed_webhook_update(bot=bot, update=decoded, **kwargs)

    async def feed_webhook_update(
        self, bot: Bot, update: Update | dict[str, Any], _timeout: float = 55, **kwargs: Any
    ) -> Any:
        if not isinstance(update, Update):
            decoded = decode_update(bot, update)
            if decoded is None:
                return None  # answered 200: Telegram does not send it again
            update = decoded
        return await super().feed_webhook_update(bot, update, _timeout, **kwargs)

    @asynccontextmanager
    async def _across_workers(self, bot: Bot, user_id: int) -> AsyncIterator[None]:
        """With Redis, the same for several worker processes: a Redis lock per person. It
        lives a few seconds and is renewed while the update runs, so a process killed while
        holding it holds that person up for seconds, not minutes."""
        redis = getattr(self.storage, "redis", None)
        if redis is None:
            yield
            return
        from redis.exceptions import LockError  # with Redis only (~7 MB the others need not keep)

        lock = redis.lock(f"nastavnik:person:{bot.id}:{user_id}", timeout=LOCK_TTL, sleep=0.02)
        if not await lock.acquire(blocking_timeout=60):
            logger.warning("an update waited 60 s for the same person's previous one: going on")
            yield
            return
        renewing = asyncio.create_task(_keep(lock))
        try:
            yield
        finally:
            renewing.cancel()
            with suppress(LockError, asyncio.CancelledError):
                await renewing
            with suppress(LockError):  # lost (Redis restarted): someone else may hold it now
                await lock.release()


async def _keep(lock: Any) -> None:
    while True:
        await asyncio.sleep(LOCK_TTL / 3)
        await lock.reacquire()


def create_bot(settings: Settings) -> Bot:
    session = JsonBodySession(timeout=settings.telegram_request_timeout)
    if settings.telegram_api_url:
        session.api = TelegramAPIServer.from_base(settings.telegram_api_url)
    session.middleware(SplitLongMessages())  # outermost: each part is retried on its own
    session.middleware(SkipUndecodableUpdates())
    session.middleware(RetryRequestMiddleware())
    session.middleware(KeepResponseTypes())  # answer types built once (bot/responses.py)
    keep_every_response_type()  # …and now, not at the first press after a start
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def create_storage(
    settings: Settings, session_pool: async_sessionmaker[AsyncSession] | None = None
) -> BaseStorage:
    """Redis when configured; else the bot's database (forms survive a restart)."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(
            settings.redis_url, key_builder=DefaultKeyBuilder(with_bot_id=True)
        )
    if session_pool is not None:
        return SqlStorage(session_pool)
    return MemoryStorage()


def settle_heap() -> None:
    """Once the process has built what it keeps for its whole life (aiogram's Telegram types
    alone are some 165 MB of objects), take those objects out of the garbage collector's
    view: a full collection then no longer walks all of them again and again during a sweep
    or a busy minute (the collector was a fifth of a first sweep's CPU time). Objects made
    later are collected as ever; what is frozen was going to live as long as the process."""
    gc.collect()
    gc.freeze()


async def on_startup(
    bot: Bot,
    settings: Settings,
    i18n: I18n,
    session_pool: async_sessionmaker[AsyncSession],
    scheduler: ReminderScheduler | None = None,
) -> None:
    if settings.bot_mode == "webhook":
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        url = (settings.webhook_url or "").rstrip("/") + settings.webhook_path  # checked at load
        await bot.set_webhook(url, secret_token=secret, drop_pending_updates=False)
    else:
        await bot.delete_webhook(drop_pending_updates=False)
    async with session_pool() as session:
        curators = await curator_telegram_ids(session, settings.curator_ids)
        directors = await director_telegram_ids(session)
    await set_bot_commands(bot, i18n, curators, directors)
    me = await bot.get_me()
    logger.info("bot @%s started, %d curator(s) configured", me.username, len(curators))
    if scheduler is not None:
        scheduler.start()


async def on_shutdown(scheduler: ReminderScheduler | None) -> None:
    if scheduler is not None:
        await scheduler.stop()


def create_dispatcher(
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    *,
    storage: BaseStorage | None = None,
    i18n: I18n | None = None,
    clock: Clock | None = None,
    scheduler: ReminderScheduler | None = None,
) -> Dispatcher:
    i18n = i18n or create_i18n(settings.default_locale)
    dispatcher = TrackingDispatcher(
        storage=storage or create_storage(settings, session_pool),
        settings=settings,
        session_pool=session_pool,
        i18n=i18n,
        clock=clock or SystemClock(),
        scheduler=scheduler,
    )
    dispatcher.update.outer_middleware(UpdateLoggingMiddleware())
    dispatcher.update.outer_middleware(DbSessionMiddleware(session_pool))
    dispatcher.update.outer_middleware(ParticipantMiddleware())
    dispatcher.update.outer_middleware(ContextMiddleware())
    ParticipantLocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.include_router(handlers.create_root_router())
    inline_sync_callables(dispatcher)
    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    # aiogram registered its FSM storage's close() first; updates still running need it.
    dispatcher.shutdown.register(dispatcher.in_flight.drain)
    dispatcher.shutdown.handlers.insert(0, dispatcher.shutdown.handlers.pop())
    return dispatcher
