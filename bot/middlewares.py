"""Outer middlewares: logging, a DB session per update, the participant behind the update."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.resilience import count_calls, describe, transient_database_error
from models.access import Actor
from models.participant import get_participant
from models.updates import mark_processing, seen

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
logger = logging.getLogger("bot.updates")


class UpdateLoggingMiddleware(BaseMiddleware):
    """One line per update: its id, kind, outcome and duration. Never any personal data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        update_id = getattr(event, "update_id", None)
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            logger.info(
                "update %s %s %s in %.1f ms",
                update_id,
                kind,
                outcome,
                (time.perf_counter() - started) * 1000,
            )


class KeyedLocks:
    """One asyncio lock per key, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if not users[0]:
                del self._locks[key]


class DbSessionMiddleware(BaseMiddleware):
    """A database session per update. A transient database error (a locked SQLite file, a
    dropped connection) runs the whole update again with a new session — unless the bot already
    said something during the failed try, which the user must not see twice. When the retries
    are used up the error goes on to the error handlers, which ask the user to send it again;
    nothing half-done was committed, and the form step stays where it was."""

    def __init__(
        self, session_pool: async_sessionmaker[AsyncSession], attempts: int = 3, delay: float = 0.5
    ) -> None:
        self.session_pool = session_pool
        self.attempts = attempts
        self.delay = delay

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        for attempt in range(1, self.attempts + 1):
            with count_calls() as calls:
                try:
                    async with self.session_pool() as session:
                        data["session"] = session
                        return await handler(event, data)
                except DBAPIError as error:
                    if (
                        not transient_database_error(error)
                        or calls.succeeded
                        or attempt == self.attempts
                    ):
                        raise
                    logger.warning(
                        "update %s: database error (%s), trying again (%d of %d)",
                        getattr(event, "update_id", None),
                        describe(error),
                        attempt + 1,
                        self.attempts,
                    )
            await asyncio.sleep(self.delay * attempt)
        raise AssertionError("unreachable")  # pragma: no cover


class OnceMiddleware(BaseMiddleware):
    """Skips an update already processed (same bot and update_id)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id = getattr(event, "update_id", None)
        bot = data.get("bot")
        if update_id is None or bot is None:
            return await handler(event, data)
        session: AsyncSession = data["session"]
        if await seen(session, bot.id, update_id):
            logger.info("update %s was already processed: skipped", update_id)
            return None
        mark_processing(session, bot.id, update_id)
        result = await handler(event, data)
        await session.commit()  # also when the handler itself changed nothing
        return result


class ParticipantMiddleware(BaseMiddleware):
    """Loads the participant (None for a stranger) and whether the user is a curator."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        settings: Settings = data["settings"]
        participant = None
        if user is not None:
            participant = await get_participant(data["session"], user.id)
        if participant is not None and participant.unreachable_at is not None:
            participant.unreachable_at = None  # they wrote to us: reachable again
            await data["session"].commit()
        is_curator = user is not None and (
            user.id in settings.curator_ids
            or (participant is not None and participant.staff_role is not None)
        )
        data["participant"] = participant
        data["participant_locale"] = participant.locale if participant is not None else None
        data["is_curator"] = is_curator
        data["actor"] = Actor.of(user.id, participant, is_curator) if user else None
        data["today"] = data["clock"].now().astimezone(settings.timezone).date()
        return await handler(event, data)
