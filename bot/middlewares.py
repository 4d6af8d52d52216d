"""Outer middlewares: logging, a unit of work per update (bot.unit), the participant behind the
update and whether it was processed already."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.resilience import count_calls, describe, transient_database_error
from bot.unit import BufferedFSMContext, UnitOfWork, UnitSession, remember_question
from models.access import Actor
from models.database import INLINE_READS
from models.outbox import mark_reachable
from models.participant import load_for_update

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
    """One unit of work per update (bot.unit): a database session, the form's changes kept
    in memory until the update ends, the read-only transaction ended before each Bot API call.

    A transient database error (a locked SQLite file, a dropped connection) runs the whole
    update again with a new session — unless the bot already said something during the failed
    try, which the user must not see twice. When the retries are used up the error goes on to
    the error handlers, which ask the user to send it again; nothing half-done was committed,
    and the form step stays where it was (its changes are dropped with the failed try)."""

    def __init__(
        self, session_pool: async_sessionmaker[AsyncSession], attempts: int = 3, delay: float = 0.5
    ) -> None:
        self.session_pool = session_pool
        self.attempts = attempts
        self.delay = delay

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        token = INLINE_READS.set(True)  # an update's reads are small: no thread hop (SQLite)
        try:
            return await self._handle(handler, event, data)
        finally:
            INLINE_READS.reset(token)

    async def _handle(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id = getattr(event, "update_id", None)
        bot = data.get("bot")
        context: FSMContext | None = data.get("state")
        for attempt in range(1, self.attempts + 1):
            form = None
            if context is not None:  # a fresh view of the form for each try
                form = data["state"] = BufferedFSMContext(context, update_id)
            with count_calls() as calls:
                try:
                    async with self.session_pool(sync_session_class=UnitSession) as session:
                        unit = UnitOfWork(session, getattr(bot, "id", None), update_id, form)
                        data["session"] = session
                        data["unit_of_work"] = unit
                        step = await form.get_state() if form is not None else None
                        unit.step, unit.chat = step, data.get("event_chat")
                        with unit.releasing():
                            result = await handler(event, data)
                        if form is not None:
                            chat = data.get("event_chat")
                            await remember_question(form, step, calls.said, chat)
                            await form.flush()
                        return result
                except DBAPIError as error:
                    if form is not None:
                        form.discard()
                    if (
                        not transient_database_error(error)
                        or calls.succeeded
                        or attempt == self.attempts
                    ):
                        raise
                    logger.warning(
                        "update %s: database error (%s), trying again (%d of %d)",
                        update_id,
                        describe(error),
                        attempt + 1,
                        self.attempts,
                    )
                except BaseException:
                    # Not a database failure (a domain error, a Telegram refusal): what the
                    # handler did to the form stands, as it would without the buffer.
                    if form is not None:
                        await form.flush()
                    raise
            await asyncio.sleep(self.delay * attempt)
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Stamp:
    """Who acts in this update and when (local time): the line a decided message ends with."""

    who: str
    at: datetime
    curators: frozenset[int] = frozenset()  # CURATOR_IDS (a decided notice's other copies)
    by_curator: bool = False  # only a curator's copy of a notice has copies of its own


class ParticipantMiddleware(BaseMiddleware):
    """Loads the participant (None for a stranger) and whether this update was processed
    already, in one query; skips a redelivered update. The participant is cached for the
    update (models.participant.get_participant answers from the session's cache)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        settings: Settings = data["settings"]
        session: AsyncSession = data["session"]
        update_id = getattr(event, "update_id", None)
        bot = data.get("bot")
        bot_id = getattr(bot, "id", None) if update_id is not None else None
        participant, processed = await load_for_update(
            session, user.id if user is not None else None, bot_id, update_id
        )
        form = data.get("state")
        if processed or (isinstance(form, BufferedFSMContext) and await form.already_applied()):
            logger.info("update %s was already processed: skipped", update_id)
            return None
        if participant is not None and participant.unreachable_at is not None:
            await mark_reachable(session, participant)  # they wrote to us
        is_curator = user is not None and (
            user.id in settings.curator_ids
            or (participant is not None and participant.staff_role is not None)
        )
        data["participant"] = participant
        data["participant_locale"] = participant.locale if participant is not None else None
        data["is_curator"] = is_curator
        data["actor"] = Actor.of(user.id, participant, is_curator) if user else None
        now = data["clock"].now().astimezone(settings.timezone)
        data["today"] = now.date()
        registered_name = participant.full_name if participant is not None else None
        who = registered_name or (user.full_name if user else "")
        data["stamp"] = Stamp(
            who=who or "—",
            at=now,
            curators=frozenset(settings.curator_ids),
            by_curator=is_curator,
        )
        return await handler(event, data)
