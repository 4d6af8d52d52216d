"""Riding out a bad moment: Telegram refusing for a while, the database busy or reconnecting.

- `RetryRequestMiddleware` (on the bot's session) retries any Bot API call that failed for a
  moment — 429 after its retry_after, 5xx and network errors (timeouts included) with backoff —
  so a reply to the user's own action is not lost to one refusal. 403/400 are final. Code that
  keeps its own retry schedule (the outbox delivery) asks for one attempt with `single_attempt()`.
- `transient_database_error` tells which database errors are worth one more try (a locked
  SQLite file, a dropped PostgreSQL connection); `DbSessionMiddleware` retries the whole update
  on one, with a new session, unless the bot already said something during the failed try.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.unit import Said, release_before_telegram, said_by
from models.database import read_only_database_error

logger = logging.getLogger(__name__)

_single_attempt: ContextVar[bool] = ContextVar("single_attempt", default=False)
_calls: ContextVar[CallCount | None] = ContextVar("telegram_calls", default=None)


@dataclass
class CallCount:
    """How many Bot API calls succeeded since `count_calls()` began (in this task and its
    children): a retry of an update must not repeat what the user has already seen."""

    succeeded: int = 0
    # The last text the bot sent or edited in, per chat: (text, inline keyboard as JSON).
    said: dict[int, Said] = field(default_factory=dict)

    def record(self, method: TelegramMethod[Any]) -> None:
        if (said := said_by(method)) is not None:
            self.said[said[0]] = said[1]


@contextmanager
def single_attempt() -> Iterator[None]:
    token = _single_attempt.set(True)
    try:
        yield
    finally:
        _single_attempt.reset(token)


@contextmanager
def count_calls() -> Iterator[CallCount]:
    count = CallCount()
    token = _calls.set(count)
    try:
        yield count
    finally:
        _calls.reset(token)


class RetryRequestMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        attempts: int = 6,
        base_delay: float = 0.5,
        max_retry_after: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        # getUpdates has the dispatcher's own backoff; single attempts are retried by their owner
        attempts = 1 if isinstance(method, GetUpdates) or _single_attempt.get() else self.attempts
        delay = self.base_delay
        for attempt in range(1, attempts + 1):
            await release_before_telegram(method)  # no database connection held while we wait
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == attempts or error.retry_after > self.max_retry_after:
                    raise
                wait: float = error.retry_after
                reason = "429"
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt == attempts:
                    raise
                wait, delay = delay, delay * 2
                reason = type(error).__name__
            else:
                if (count := _calls.get()) is not None:
                    count.succeeded += 1
                    count.record(method)
                return response
            logger.warning(
                "%s failed (%s), attempt %d of %d: retrying in %.1f s",
                type(method).__name__,
                reason,
                attempt,
                attempts,
                wait,
            )
            await self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


class InFlight:
    """Counts the work under way (updates being handled, scheduler jobs running), so that a
    stop (SIGTERM, a deploy) lets it finish before the FSM storage and the database close."""

    def __init__(self, what: str = "update(s)") -> None:
        self.what = what
        self.running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def __enter__(self) -> None:
        self.running += 1
        self._idle.clear()

    def __exit__(self, *_exc: object) -> None:
        self.running -= 1
        if not self.running:
            self._idle.set()

    async def drain(self, grace: float = 20.0) -> None:
        try:
            async with asyncio.timeout(grace):
                await self._idle.wait()
        except TimeoutError:
            logger.warning(
                "%d %s still running after %.0f s: stopping", self.running, self.what, grace
            )


def transient_database_error(error: BaseException) -> bool:
    """A locked SQLite file, a connection the server dropped: the same work may succeed if
    tried again. A constraint violation or a bad query is not transient."""
    if read_only_database_error(error):  # it stays read-only until someone fixes it
        return False
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError)


def describe(error: BaseException) -> str:
    """One line about a database error, without the statement or its parameters."""
    original: Any = getattr(error, "orig", None) or error
    lines = str(original).splitlines() or [""]
    return f"{type(original).__name__}: {lines[0][:200]}"
