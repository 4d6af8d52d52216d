"""The one place messages that nobody is waiting for leave the bot.

`Sender` spaces messages to stay under Telegram's limits (about 25 a second overall and one a
second per chat), waits out 429 (retry_after), retries network and server errors with backoff,
and reports a person who blocked the bot (403) or whose chat is gone (a 400 saying so) as
unreachable instead of raising; any other 400 refuses that one message, not the person.
Replies to the user's own update go straight from the handler.
`sender_for(bot)` gives every part of the process the same sender, hence the same limits.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.resilience import single_attempt
from bot.unit import release_before_telegram

logger = logging.getLogger(__name__)


class Delivery(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked the bot, deleted, or never started it
    RETRY = "retry"  # 429 or a transient error: try again later
    FAILED = "failed"  # gave up after retries
    REFUSED = "refused"  # Telegram refused this message (a 400 about the message itself)


# The 400s that mean the chat itself cannot be written to. Any other 400 ("message is too
# long", "can't parse entities", a stale file id) is about the message, never a blocked user.
_CHAT_GONE = (
    "chat not found",
    "user not found",
    "user is deactivated",
    "bot can't initiate conversation",
    "bot was blocked",
    "peer_id_invalid",
    "have no rights to send",
)


def chat_gone(message: str) -> bool:
    lowered = message.lower()
    return any(reason in lowered for reason in _CHAT_GONE)


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    retry_after: float | None = None
    error: str | None = None
    message_id: int | None = None  # of the message sent (SENT)


@dataclass
class RateLimiter:
    """Reserves a send slot: `rate` a second overall and one per `per_chat` seconds per chat."""

    rate: float = 25.0
    per_chat: float = 1.1  # Telegram: about one a second; the margin absorbs network jitter
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next_any: float = 0.0
    _next_chat: dict[int, float] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def acquire(self, chat_id: int) -> float:
        """Wait for this chat's next slot; returns how long it waited."""
        async with self._lock:
            now = self.clock()
            start = max(now, self._next_any, self._next_chat.get(chat_id, 0.0))
            self._next_any = start + 1.0 / self.rate
            self._next_chat[chat_id] = start + self.per_chat
            if len(self._next_chat) > 10_000:  # forget chats whose slot is long past
                self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        wait = start - now
        if wait > 0:
            await self.sleep(wait)
        return wait


@dataclass
class Sender:
    bot: Bot
    limiter: RateLimiter = field(default_factory=RateLimiter)
    attempts: int = 4
    base_delay: float = 0.5
    max_retry_after: float = 60.0

    async def deliver_once(
        self,
        chat_id: int,
        text: str,
        media: tuple[str, str] | None = None,
        *,
        before_send: Callable[[], Awaitable[None]] | None = None,
        **kwargs: Any,
    ) -> Outcome:
        """One attempt, within the limits; the caller decides when to try again.
        `media` is ("photo" | "document", file_id): sent with `text` as its caption.
        `before_send` runs after the rate limiter's wait, right before the HTTP call."""
        await release_before_telegram()  # a notice sent from an update: free its connection
        await self.limiter.acquire(chat_id)
        if before_send is not None:
            await before_send()
        try:
            with single_attempt():  # retries are this class's business, on its schedule
                sent = await self._send(chat_id, text, media, **kwargs)
        except TelegramRetryAfter as error:
            logger.warning("429 from Telegram: retry after %s s", error.retry_after)
            return Outcome(Delivery.RETRY, float(error.retry_after), "429")
        except TelegramForbiddenError:
            logger.info("chat %s is unreachable (blocked the bot)", chat_id)
            return Outcome(Delivery.UNREACHABLE, error="403")
        except TelegramBadRequest as error:
            if chat_gone(error.message):
                logger.info("chat %s is unreachable: %s", chat_id, error.message)
                return Outcome(Delivery.UNREACHABLE, error=error.message[:200])
            logger.error("chat %s: Telegram refused the message: %s", chat_id, error.message)
            return Outcome(Delivery.REFUSED, error=error.message[:200])
        except (TelegramNetworkError, TelegramServerError) as error:
            logger.warning("sending failed: %s", error)
            return Outcome(Delivery.RETRY, error=str(error)[:200])
        return Outcome(Delivery.SENT, message_id=getattr(sent, "message_id", None))

    async def _send(
        self, chat_id: int, text: str, media: tuple[str, str] | None, **kwargs: Any
    ) -> Any:
        if media is None:
            return await self.bot.send_message(chat_id, text, **kwargs)
        if media[0] == "photo":
            return await self.bot.send_photo(chat_id, media[1], caption=text or None, **kwargs)
        return await self.bot.send_document(chat_id, media[1], caption=text or None, **kwargs)

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Delivery:
        """A notification sent now: retried in place a few times, then given up."""
        return (await self.send_now(chat_id, text, **kwargs)).delivery

    async def send_now(self, chat_id: int, text: str, **kwargs: Any) -> Outcome:
        """`send_message` with the sent message's id."""
        delay = self.base_delay
        for attempt in range(1, self.attempts + 1):
            outcome = await self.deliver_once(chat_id, text, **kwargs)
            if outcome.delivery != Delivery.RETRY:
                return outcome
            if attempt < self.attempts:
                wait = min(outcome.retry_after or delay, self.max_retry_after)
                await asyncio.sleep(wait)
                delay *= 2
        logger.error("giving up on a message to chat %s", chat_id)
        return Outcome(Delivery.FAILED)


_ATTRIBUTE = "_nastavnik_sender"


def sender_for(bot: Bot, rate: float | None = None) -> Sender:
    """The process-wide sender of this bot (one rate limiter for everything it sends).

    Kept on the bot object itself: aiogram's Bot compares equal by token, so a mapping keyed
    by bots would mix up two Bot objects with the same token.
    """
    sender = getattr(bot, _ATTRIBUTE, None)
    if sender is None:
        sender = Sender(bot)
        setattr(bot, _ATTRIBUTE, sender)
    if rate is not None:
        sender.limiter.rate = rate
    return sender
