"""Outgoing messages that nobody is waiting for (notifications): retried, never crashing.

A reply to the user's own update goes out directly from the handler. Notifications to other
people go through `Sender`, which waits out 429 (retry_after), retries network errors with
backoff and reports a person who blocked the bot (403) or never started it (400) as
unreachable instead of raising.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
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

logger = logging.getLogger(__name__)


class Delivery(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # blocked the bot, deleted, or never started it
    FAILED = "failed"  # gave up after retries


@dataclass
class Sender:
    bot: Bot
    attempts: int = 4
    base_delay: float = 0.5
    max_retry_after: float = 60.0

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Delivery:
        delay = self.base_delay
        for attempt in range(1, self.attempts + 1):
            try:
                await self.bot.send_message(chat_id, text, **kwargs)
                return Delivery.SENT
            except TelegramRetryAfter as error:
                wait = min(float(error.retry_after), self.max_retry_after)
                logger.warning("429 from Telegram, retrying in %.0f s", wait)
                await asyncio.sleep(wait)
            except TelegramForbiddenError:
                logger.info("chat %s is unreachable (blocked the bot)", chat_id)
                return Delivery.UNREACHABLE
            except TelegramBadRequest as error:
                logger.info("chat %s: message refused: %s", chat_id, error.message)
                return Delivery.UNREACHABLE
            except (TelegramNetworkError, TelegramServerError) as error:
                if attempt == self.attempts:
                    break
                logger.warning("sending failed (%s), retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                delay *= 2
        logger.error("giving up on a message to chat %s", chat_id)
        return Delivery.FAILED
